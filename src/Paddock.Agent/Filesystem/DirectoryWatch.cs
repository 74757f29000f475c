using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// Filesystem events under one directory (inotify, through FileSystemWatcher), as envd reports them:
/// names relative to the watched directory, CREATE/WRITE/REMOVE/RENAME/CHMOD, and the entry when asked.
/// </summary>
internal sealed class DirectoryWatch : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly string _root;
    private readonly bool _includeEntry;

    public DirectoryWatch(string root, bool recursive, bool includeEntry)
    {
        _root = root;
        _includeEntry = includeEntry;
        _watcher = new FileSystemWatcher(root)
        {
            IncludeSubdirectories = recursive,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                | NotifyFilters.Size | NotifyFilters.Attributes | NotifyFilters.Security,
            InternalBufferSize = 64 * 1024,
        };
        _watcher.Created += (_, e) => Publish(e.FullPath, "EVENT_TYPE_CREATE");
        _watcher.Changed += (_, e) => Publish(e.FullPath, "EVENT_TYPE_WRITE");
        _watcher.Deleted += (_, e) => Publish(e.FullPath, "EVENT_TYPE_REMOVE");
        _watcher.Renamed += (_, e) =>
        {
            Publish(e.OldFullPath, "EVENT_TYPE_RENAME");
            Publish(e.FullPath, "EVENT_TYPE_CREATE");
        };
        _watcher.EnableRaisingEvents = true;
    }

    public ChannelReader<JsonObject> Events => _events.Reader;

    /// <summary>Everything that happened since the last drain (for the polling watcher calls).</summary>
    public JsonArray Drain()
    {
        var events = new JsonArray();
        while (_events.Reader.TryRead(out var next))
        {
            events.Add((JsonNode)next);
        }

        return events;
    }

    private void Publish(string fullPath, string type)
    {
        var fsEvent = new JsonObject { ["name"] = Path.GetRelativePath(_root, fullPath), ["type"] = type };
        if (_includeEntry && type != "EVENT_TYPE_REMOVE" && type != "EVENT_TYPE_RENAME")
        {
            try
            {
                FileSystemInfo info = Directory.Exists(fullPath) ? new DirectoryInfo(fullPath) : new FileInfo(fullPath);
                fsEvent["entry"] = EntryInfo.Of(info);
            }
            catch (IOException)
            {
                // Gone again before it could be described.
            }
        }

        _events.Writer.TryWrite(fsEvent);
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _events.Writer.TryComplete();
    }
}
