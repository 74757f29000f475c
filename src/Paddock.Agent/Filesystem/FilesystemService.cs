using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Agent.Connect;
using Paddock.Agent.Process;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// envd's <c>filesystem.Filesystem</c> unary calls: Stat, MakeDir, Move, ListDir and Remove, as the
/// requesting user sees the sandbox (relative paths from their home, new entries owned by them).
/// </summary>
internal sealed class FilesystemService(AgentState state)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DirectoryWatch> _watchers = new(StringComparer.Ordinal);

    /// <summary>Whether a directory is being watched for a caller.</summary>
    public bool HasWatchers => !_watchers.IsEmpty;

    public Task HandleAsync(HttpContext context, string method) => method switch
    {
        "WatchDir" => WatchDirAsync(context),
        "CreateWatcher" => UnaryAsync(context, CreateWatcher),
        "GetWatcherEvents" => UnaryAsync(context, (r, _) => new JsonObject { ["events"] = Watcher(r).Drain() }),
        "RemoveWatcher" => UnaryAsync(context, RemoveWatcher),
        "Stat" => UnaryAsync(context, (r, u) => new JsonObject { ["entry"] = EntryInfo.Of(Existing(u.Resolve(Text(r, "path")))) }),
        "MakeDir" => UnaryAsync(context, MakeDir),
        "Move" => UnaryAsync(context, Move),
        "ListDir" => UnaryAsync(context, ListDir),
        "Remove" => UnaryAsync(context, Remove),
        _ => UnaryAsync(context, (_, _) => throw new ConnectException(ConnectCode.Unimplemented, $"filesystem.Filesystem/{method} is not implemented")),
    };

    private async Task UnaryAsync(HttpContext context, Func<JsonObject, SandboxUser, JsonObject> call)
    {
        try
        {
            var user = SandboxUser.FromRequest(context.Request, state);
            var request = await ConnectProtocol.ReadUnaryAsync(context.Request, context.RequestAborted);
            JsonObject result;
            try
            {
                result = call(request, user);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new ConnectException("permission_denied", ex.Message);
            }

            await ConnectProtocol.WriteUnaryAsync(context.Response, result, context.RequestAborted);
        }
        catch (ConnectException ex)
        {
            await ConnectProtocol.WriteUnaryErrorAsync(context.Response, ex);
        }
    }

    // Streams {start}, then {filesystem: event} as they happen, with keepalives; the caller's
    // deadline ends the stream (the watch has no process to kill).
    private async Task WatchDirAsync(HttpContext context)
    {
        ConnectStream.StartClock(context);
        var response = context.Response;
        ConnectProtocol.StartStream(response);
        try
        {
            var user = SandboxUser.FromRequest(context.Request, state);
            var request = await ConnectProtocol.ReadEnvelopeAsync(context.Request, context.RequestAborted);
            using var watch = OpenWatch(request, user);
            await ConnectProtocol.WriteEnvelopeAsync(response, new JsonObject { ["start"] = new JsonObject() }, context.RequestAborted);
            await ConnectStream.PumpAsync(
                context,
                watch.Events,
                next => new JsonObject { ["filesystem"] = next },
                () => new JsonObject { ["keepalive"] = new JsonObject() });
            await ConnectProtocol.EndStreamAsync(response, null);
        }
        catch (ConnectException ex)
        {
            await ConnectProtocol.EndStreamAsync(response, ex);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    private JsonObject CreateWatcher(JsonObject request, SandboxUser user)
    {
        var id = Guid.NewGuid().ToString("N");
        _watchers[id] = OpenWatch(request, user);
        return new JsonObject { ["watcherId"] = id };
    }

    private JsonObject RemoveWatcher(JsonObject request, SandboxUser user)
    {
        if (_watchers.TryRemove(Text(request, "watcherId"), out var watch))
        {
            watch.Dispose();
        }

        return new JsonObject();
    }

    private DirectoryWatch Watcher(JsonObject request) =>
        _watchers.TryGetValue(Text(request, "watcherId"), out var watch)
            ? watch
            : throw new ConnectException(ConnectCode.NotFound, "watcher not found");

    private static DirectoryWatch OpenWatch(JsonObject request, SandboxUser user)
    {
        var path = user.Resolve(Text(request, "path"));
        if (File.Exists(path))
        {
            throw Invalid($"path '{path}' is not a directory");
        }

        if (!Directory.Exists(path))
        {
            throw new ConnectException(ConnectCode.NotFound, $"path '{path}' does not exist");
        }

        return new DirectoryWatch(path, Flag(request, "recursive"), Flag(request, "includeEntry") || Flag(request, "include_entry"));
    }

    private static bool Flag(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    private static JsonObject MakeDir(JsonObject request, SandboxUser user)
    {
        var path = user.Resolve(Text(request, "path"));
        if (Directory.Exists(path))
        {
            throw new ConnectException(ConnectCode.AlreadyExists, $"directory '{path}' already exists");
        }

        if (File.Exists(path))
        {
            throw Invalid($"path '{path}' already exists and is not a directory");
        }

        CreateDirectories(path, user);
        return new JsonObject { ["entry"] = EntryInfo.Of(new DirectoryInfo(path)) };
    }

    private static JsonObject Move(JsonObject request, SandboxUser user)
    {
        var source = Existing(user.Resolve(Text(request, "source")));
        var destination = user.Resolve(Text(request, "destination"));
        CreateDirectories(Path.GetDirectoryName(destination)!, user);
        if (source is DirectoryInfo directory && source.LinkTarget is null)
        {
            directory.MoveTo(destination);
        }
        else
        {
            File.Move(source.FullName, destination, overwrite: true);
        }

        return new JsonObject { ["entry"] = EntryInfo.Of(Existing(destination)) };
    }

    private static JsonObject ListDir(JsonObject request, SandboxUser user)
    {
        var path = user.Resolve(Text(request, "path"));
        var root = Existing(path);
        if (root is not DirectoryInfo directory || root.LinkTarget is not null && !Directory.Exists(path))
        {
            throw Invalid($"path '{path}' is not a directory");
        }

        var depth = request["depth"] is JsonValue d && d.TryGetValue<int>(out var n) ? n : 1;
        if (depth < 1)
        {
            depth = 1;
        }

        var entries = new JsonArray();
        Walk(new DirectoryInfo(path), depth, entries);
        return new JsonObject { ["entries"] = entries };
    }

    private static void Walk(DirectoryInfo directory, int depth, JsonArray entries)
    {
        foreach (var child in directory.EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            entries.Add((JsonNode)EntryInfo.Of(child));
            if (depth > 1 && child is DirectoryInfo sub && child.LinkTarget is null)
            {
                Walk(sub, depth - 1, entries);
            }
        }
    }

    private static JsonObject Remove(JsonObject request, SandboxUser user)
    {
        var path = user.Resolve(Text(request, "path"));
        var info = new FileInfo(path);
        if (Directory.Exists(path) && info.LinkTarget is null)
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path) || info.LinkTarget is not null)
        {
            File.Delete(path);
        }

        return new JsonObject();
    }

    /// <summary>Creates a directory and its missing parents, each owned by the user.</summary>
    internal static void CreateDirectories(string path, SandboxUser user)
    {
        var missing = new Stack<string>();
        for (var dir = path; !string.IsNullOrEmpty(dir) && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            missing.Push(dir);
        }

        while (missing.TryPop(out var dir))
        {
            Directory.CreateDirectory(dir);
            Native.LChown(dir, user.Uid, user.Gid);
        }
    }

    private static FileSystemInfo Existing(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null || File.Exists(path))
        {
            return file;
        }

        return Directory.Exists(path)
            ? new DirectoryInfo(path)
            : throw new ConnectException(ConnectCode.NotFound, $"path '{path}' does not exist");
    }

    private static string Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : throw Invalid($"'{name}' is required");

    private static ConnectException Invalid(string message) => new(ConnectCode.InvalidArgument, message);
}
