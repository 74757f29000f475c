using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Paddock.Agent.Connect;
using Paddock.Agent.Http;
using Paddock.Agent.Process;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// envd's <c>/files</c>: GET downloads a file (see <see cref="FileDownload"/>), POST uploads one or more, as
/// multipart (<c>file</c> parts, the filename the destination when <c>path</c> is absent) or as a raw
/// octet-stream body (optionally gzip-encoded), with <c>X-Metadata-*</c> headers kept as the files'
/// metadata. Bytes stream straight between the request and the disk. New files belong to the requesting
/// user, mode 0644. <c>/files/compose</c> concatenates files into one.
/// </summary>
internal sealed class FilesEndpoint(AgentState state)
{
    // ENOSPC, and EDQUOT: the sandbox's disk quota is the usual way a sandbox runs out of space.
    private const int NoSpaceErrno = 28;
    private const int QuotaExceededErrno = 122;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var download = HttpMethods.IsGet(request.Method);
        if (!download && !HttpMethods.IsPost(request.Method))
        {
            await Errors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "only GET and POST are allowed on /files");
            return;
        }

        if (FileSignature.Refusal(request, state, download ? "read" : "write") is { } refusal)
        {
            await Errors.WriteAsync(context, StatusCodes.Status401Unauthorized, refusal);
            return;
        }

        SandboxUser user;
        try
        {
            user = request.Query["username"].ToString() is { Length: > 0 } name
                ? SandboxUser.Find(name) ?? throw new ConnectException(ConnectCode.Unauthenticated, $"invalid username: '{name}'")
                : SandboxUser.FromRequest(request, state);
        }
        catch (ConnectException ex)
        {
            await Errors.WriteAsync(context, StatusCodes.Status401Unauthorized, ex.Message);
            return;
        }

        try
        {
            await (download ? FileDownload.SendAsync(context, user.Resolve(request.Query["path"].ToString())) : UploadAsync(context, user));
        }
        catch (IOException ex) when (IsOutOfSpace(ex))
        {
            await Errors.WriteAsync(context, StatusCodes.Status507InsufficientStorage, $"not enough disk space: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            await Errors.WriteAsync(context, StatusCodes.Status403Forbidden, ex.Message);
        }
    }

    private static async Task UploadAsync(HttpContext context, SandboxUser user)
    {
        var request = context.Request;
        var queryPath = request.Query["path"].ToString();
        var (metadata, metadataError) = FileMetadata.FromHeaders(request.Headers);
        if (metadataError is not null)
        {
            await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, metadataError);
            return;
        }

        var written = new JsonArray();
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value ?? string.Empty;
            var reader = new MultipartReader(boundary, request.Body);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.Name.Value?.Trim('"') != "file")
                {
                    continue;
                }

                var target = user.Resolve(queryPath.Length > 0 ? queryPath : disposition.FileName.Value?.Trim('"'));
                if (!seen.Add(target))
                {
                    await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, $"path '{target}' is in the upload twice");
                    return;
                }

                written.Add((JsonNode)await WriteAsync(target, (file, ct) => section.Body.CopyToAsync(file, FileDownload.CopyBufferSize, ct), user, metadata, context.RequestAborted));
            }
        }
        else
        {
            if (queryPath.Length == 0)
            {
                await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, "'path' is required for an octet-stream upload");
                return;
            }

            var body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(request.Body, CompressionMode.Decompress)
                : request.Body;
            written.Add((JsonNode)await WriteAsync(user.Resolve(queryPath), (file, ct) => body.CopyToAsync(file, FileDownload.CopyBufferSize, ct), user, metadata, context.RequestAborted));
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(written.ToJsonString(), context.RequestAborted);
    }

    private static async Task<JsonObject> WriteAsync(string path, Func<Stream, CancellationToken, Task> fill, SandboxUser user, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new UnauthorizedAccessException($"path '{path}' is a directory");
        }

        FilesystemService.CreateDirectories(Path.GetDirectoryName(path)!, user);
        // As envd does, the agent writes as root and gives the file to the request's user (envd checks no
        // permission of that user either): an existing file gets its owner first, then open(O_CREAT|O_TRUNC),
        // the owner of a new one, then the content, so a watcher sees what envd's would: CREATE, CHMOD, WRITE for
        // a new file (FileStream's own open truncates a new file once more, which a watcher would see as a WRITE).
        var existed = File.Exists(path);
        if (existed)
        {
            Native.LChown(path, user.Uid, user.Gid);
        }

        var handle = Native.OpenForWrite(path, 420);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw errno is 1 or 13
                ? new UnauthorizedAccessException($"permission denied: '{path}'")
                : new IOException($"cannot open '{path}' for writing (errno {errno})", errno);
        }

        await using (var file = new FileStream(handle, FileAccess.Write, 64 * 1024))
        {
            if (!existed)
            {
                Native.LChown(path, user.Uid, user.Gid);
            }

            await fill(file, cancellationToken);
        }

        // An upload replaces the file and so its metadata: none in the request clears what was there.
        FileMetadata.Replace(path, metadata);
        return Written(path, metadata);
    }

    private static JsonObject Written(string path, Dictionary<string, string>? metadata)
    {
        var entry = new JsonObject { ["path"] = path, ["name"] = Path.GetFileName(path), ["type"] = "file" };
        if (metadata is { Count: > 0 })
        {
            entry["metadata"] = FileMetadata.ToJson(metadata);
        }

        return entry;
    }

    /// <summary>
    /// <c>POST /files/compose</c> <c>{source_paths, destination, username?}</c>: writes the sources one after
    /// another into the destination, then removes them (chunked uploads put back together).
    /// </summary>
    public async Task ComposeAsync(HttpContext context)
    {
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject ?? throw new JsonException("expected an object");
        }
        catch (JsonException ex)
        {
            await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, $"invalid compose body: {ex.Message}");
            return;
        }

        var sources = (body["source_paths"] as JsonArray ?? []).Select(p => p is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).ToList();
        var destination = body["destination"] is JsonValue d && d.TryGetValue<string>(out var dest) ? dest : null;
        if (sources.Count == 0 || sources.Any(string.IsNullOrEmpty) || string.IsNullOrEmpty(destination))
        {
            await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, "'source_paths' (a non-empty list of paths) and 'destination' are required");
            return;
        }

        SandboxUser user;
        try
        {
            user = body["username"] is JsonValue u && u.TryGetValue<string>(out var name) && name.Length > 0
                ? SandboxUser.Find(name) ?? throw new ConnectException(ConnectCode.Unauthenticated, $"invalid username: '{name}'")
                : SandboxUser.FromRequest(context.Request, state);
        }
        catch (ConnectException ex)
        {
            await Errors.WriteAsync(context, StatusCodes.Status401Unauthorized, ex.Message);
            return;
        }

        var paths = sources.Select(s => user.Resolve(s)).ToList();
        var target = user.Resolve(destination);
        if (paths.FirstOrDefault(p => !File.Exists(p)) is { } missing)
        {
            await Errors.WriteAsync(context, StatusCodes.Status404NotFound, $"path '{missing}' does not exist");
            return;
        }

        if (paths.Contains(target))
        {
            await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, $"destination '{target}' is also a source");
            return;
        }

        try
        {
            await WriteAsync(target, async (file, cancellationToken) =>
            {
                foreach (var path in paths)
                {
                    await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
                    await source.CopyToAsync(file, FileDownload.CopyBufferSize, cancellationToken);
                }
            }, user, [], context.RequestAborted);

            paths.ForEach(File.Delete);
        }
        catch (IOException ex) when (IsOutOfSpace(ex))
        {
            await Errors.WriteAsync(context, StatusCodes.Status507InsufficientStorage, $"not enough disk space: {ex.Message}");
            return;
        }
        catch (UnauthorizedAccessException ex)
        {
            await Errors.WriteAsync(context, StatusCodes.Status403Forbidden, ex.Message);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Written(target, null).ToJsonString(), context.RequestAborted);
    }

    private static bool IsOutOfSpace(IOException ex) =>
        (ex.HResult & 0xFFFF) is NoSpaceErrno or QuotaExceededErrno
        || ex.Message.Contains("No space left", StringComparison.Ordinal)
        || ex.Message.Contains("Disk quota exceeded", StringComparison.Ordinal);
}
