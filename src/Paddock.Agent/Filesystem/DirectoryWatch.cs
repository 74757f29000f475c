using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// Filesystem events under one directory, as envd reports them: straight from inotify, one event per change the
/// kernel reports (a new file's upload is CREATE, CHMOD for its owner, WRITE), names relative to the watched
/// directory, and the entry for CREATE/WRITE/CHMOD when asked. FileSystemWatcher cannot be used: it folds
/// IN_ATTRIB and IN_MODIFY into one "changed" kind, so CHMOD and WRITE could not be told apart.
/// </summary>
internal sealed class DirectoryWatch : IDisposable
{
    private const uint InModify = 0x2, InAttrib = 0x4, InMovedFrom = 0x40, InMovedTo = 0x80, InCreate = 0x100, InDelete = 0x200;
    private const uint InIgnored = 0x8000, InIsDir = 0x40000000, InOnlyDir = 0x1000000, InDontFollow = 0x2000000;
    private const uint WatchMask = InModify | InAttrib | InMovedFrom | InMovedTo | InCreate | InDelete | InOnlyDir | InDontFollow;
    private const int InCloexec = 0x80000;

    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly Dictionary<int, string> _directories = [];
    private readonly Lock _gate = new();
    private readonly string _root;
    private readonly bool _recursive;
    private readonly bool _includeEntry;
    private readonly int _fd;
    private volatile bool _disposed;

    public DirectoryWatch(string root, bool recursive, bool includeEntry)
    {
        _root = root;
        _recursive = recursive;
        _includeEntry = includeEntry;
        _fd = Native.InotifyInit1(InCloexec);
        if (_fd < 0)
        {
            throw new IOException($"inotify_init1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (!AddWatch(root))
            {
                throw new IOException($"cannot watch '{root}': errno {Marshal.GetLastPInvokeError()}");
            }

            if (recursive)
            {
                AddSubdirectories(root);
            }
        }
        catch
        {
            Native.Close(_fd);
            throw;
        }

        new Thread(ReadLoop) { IsBackground = true, Name = "inotify" }.Start();
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

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _events.Writer.TryComplete();

        // Removing the watches queues IN_IGNORED events, which wakes the reader; it then closes the descriptor.
        lock (_gate)
        {
            foreach (var wd in _directories.Keys)
            {
                Native.InotifyRmWatch(_fd, wd);
            }
        }
    }

    private bool AddWatch(string directory)
    {
        var wd = Native.InotifyAddWatch(_fd, directory, WatchMask);
        if (wd < 0)
        {
            return false;
        }

        lock (_gate)
        {
            _directories[wd] = directory;
        }

        return true;
    }

    private void AddSubdirectories(string directory)
    {
        try
        {
            foreach (var sub in Directory.EnumerateDirectories(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                AddWatch(sub);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed while it was walked.
        }
    }

    private unsafe void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!_disposed)
            {
                nint read;
                fixed (byte* p = buffer)
                {
                    read = Native.Read(_fd, p, buffer.Length);
                }

                if (read <= 0)
                {
                    if (read < 0 && Marshal.GetLastPInvokeError() == 4)
                    {
                        continue; // EINTR
                    }

                    return;
                }

                for (var offset = 0; offset + 16 <= read;)
                {
                    var wd = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset));
                    var mask = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 4));
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 12));
                    var name = Encoding.UTF8.GetString(buffer.AsSpan(offset + 16, length)).TrimEnd('\0');
                    offset += 16 + length;
                    Handle(wd, mask, name);
                }
            }
        }
        finally
        {
            Native.Close(_fd);
        }
    }

    private void Handle(int wd, uint mask, string name)
    {
        string? directory;
        lock (_gate)
        {
            if ((mask & InIgnored) != 0)
            {
                _directories.Remove(wd);
                return;
            }

            _directories.TryGetValue(wd, out directory);
        }

        if (directory is null || name.Length == 0 || _disposed)
        {
            return;
        }

        var path = Path.Join(directory, name);
        if (_recursive && (mask & InIsDir) != 0 && (mask & (InCreate | InMovedTo)) != 0 && AddWatch(path))
        {
            // A directory made or moved in: watch it, and what it already holds (it may have filled before the watch).
            AddSubdirectories(path);
        }

        // In envd's order for one kernel event: CREATE, RENAME, CHMOD, WRITE, REMOVE.
        if ((mask & (InCreate | InMovedTo)) != 0)
        {
            Publish(path, "EVENT_TYPE_CREATE");
        }

        if ((mask & InMovedFrom) != 0)
        {
            Publish(path, "EVENT_TYPE_RENAME");
        }

        if ((mask & InAttrib) != 0)
        {
            Publish(path, "EVENT_TYPE_CHMOD");
        }

        if ((mask & InModify) != 0)
        {
            Publish(path, "EVENT_TYPE_WRITE");
        }

        if ((mask & InDelete) != 0)
        {
            Publish(path, "EVENT_TYPE_REMOVE");
        }
    }

    private void Publish(string fullPath, string type)
    {
        var fsEvent = new JsonObject { ["name"] = Path.GetRelativePath(_root, fullPath), ["type"] = type };
        if (_includeEntry && type is "EVENT_TYPE_CREATE" or "EVENT_TYPE_WRITE" or "EVENT_TYPE_CHMOD")
        {
            try
            {
                FileSystemInfo info = Directory.Exists(fullPath) ? new DirectoryInfo(fullPath) : new FileInfo(fullPath);
                fsEvent["entry"] = EntryInfo.Of(info);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone again before it could be described.
            }
        }

        _events.Writer.TryWrite(fsEvent);
    }
}
