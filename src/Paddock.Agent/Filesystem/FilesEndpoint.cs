using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Paddock.Agent.Connect;
using Paddock.Agent.Http;
using Paddock.Agent.Process;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// envd's <c>/files</c>: GET downloads a file (gzip when asked), POST uploads one or more, as multipart
/// (<c>file</c> parts, the filename the destination when <c>path</c> is absent) or as a raw octet-stream
/// body (optionally gzip-encoded). Bytes stream straight between the request and the disk.
/// New files belong to the requesting user, mode 0644.
/// </summary>
internal sealed class FilesEndpoint(AgentState state)
{
    private const int NoSpaceHResult = 28;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var download = HttpMethods.IsGet(request.Method);
        if (!download && !HttpMethods.IsPost(request.Method))
        {
            await Errors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "only GET and POST are allowed on /files");
            return;
        }

        if (!FileSignature.Allows(request, state, download ? "read" : "write"))
        {
            await Errors.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized access, please provide a valid access token or method signing if supported");
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
            await (download ? DownloadAsync(context, user) : UploadAsync(context, user));
        }
        catch (IOException ex) when ((ex.HResult & 0xFFFF) == NoSpaceHResult || ex.Message.Contains("No space left", StringComparison.Ordinal))
        {
            await Errors.WriteAsync(context, StatusCodes.Status507InsufficientStorage, $"not enough disk space: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            await Errors.WriteAsync(context, StatusCodes.Status403Forbidden, ex.Message);
        }
    }

    private static async Task DownloadAsync(HttpContext context, SandboxUser user)
    {
        var path = user.Resolve(context.Request.Query["path"].ToString());
        if (Directory.Exists(path))
        {
            await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, $"path '{path}' is a directory");
            return;
        }

        if (!File.Exists(path))
        {
            await Errors.WriteAsync(context, StatusCodes.Status404NotFound, $"path '{path}' does not exist");
            return;
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileName = Path.GetFileName(path) }.ToString();
        var acceptsGzip = context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (acceptsGzip)
        {
            response.Headers.ContentEncoding = "gzip";
            await using var gzip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await file.CopyToAsync(gzip, context.RequestAborted);
            return;
        }

        response.ContentLength = file.Length;
        await file.CopyToAsync(response.Body, context.RequestAborted);
    }

    private static async Task UploadAsync(HttpContext context, SandboxUser user)
    {
        var request = context.Request;
        var queryPath = request.Query["path"].ToString();
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

                written.Add((JsonNode)await WriteAsync(target, section.Body, user, context.RequestAborted));
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
            written.Add((JsonNode)await WriteAsync(user.Resolve(queryPath), body, user, context.RequestAborted));
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(written.ToJsonString(), context.RequestAborted);
    }

    private static async Task<JsonObject> WriteAsync(string path, Stream content, SandboxUser user, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new UnauthorizedAccessException($"path '{path}' is a directory");
        }

        FilesystemService.CreateDirectories(Path.GetDirectoryName(path)!, user);
        await using (var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            Options = FileOptions.Asynchronous,
            UnixCreateMode = (UnixFileMode)420,
        }))
        {
            await content.CopyToAsync(file, cancellationToken);
        }

        Native.LChown(path, user.Uid, user.Gid);
        return new JsonObject { ["path"] = path, ["name"] = Path.GetFileName(path), ["type"] = "file" };
    }
}
