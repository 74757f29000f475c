using System.Globalization;
using System.IO.Compression;
using Microsoft.Net.Http.Headers;
using Paddock.Agent.Http;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// <c>GET /files</c>: the file's bytes, streamed from disk; gzip when the client accepts it; one byte range
/// (<c>206</c>, or <c>416</c> when it lies past the end) and conditional requests by ETag or date.
/// </summary>
internal static class FileDownload
{
    /// <summary>
    /// The buffer every file copy of the agent uses. Stream.CopyToAsync would otherwise rent up to 1 MiB
    /// per copy from the shared pool, which keeps it: measured, the idle agent then held 35 MiB.
    /// </summary>
    internal const int CopyBufferSize = 64 * 1024;

    public static async Task SendAsync(HttpContext context, string path)
    {
        var request = context.Request;
        var response = context.Response;
        if (Directory.Exists(path))
        {
            await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, $"path '{path}' is a directory");
            return;
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            await Errors.WriteAsync(context, StatusCodes.Status404NotFound, $"path '{path}' does not exist");
            return;
        }

        var lastModified = new DateTimeOffset(info.LastWriteTimeUtc);
        var etag = new EntityTagHeaderValue($"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\"");
        response.Headers.ETag = etag.ToString();
        response.Headers.LastModified = HeaderUtilities.FormatDate(lastModified);
        response.Headers.AcceptRanges = "bytes";
        response.ContentType = "application/octet-stream";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileName = info.Name }.ToString();
        if (NotModified(request, etag, lastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
        var length = file.Length;
        if (RangeOf(request, length, etag, lastModified) is { } range)
        {
            if (range.Start >= length)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{length.ToString(CultureInfo.InvariantCulture)}";
                return;
            }

            var end = Math.Min(range.End, length - 1);
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = new ContentRangeHeaderValue(range.Start, end, length).ToString();
            response.ContentLength = end - range.Start + 1;
            file.Seek(range.Start, SeekOrigin.Begin);
            await CopyAsync(file, response.Body, end - range.Start + 1, context.RequestAborted);
            return;
        }

        if (request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            response.Headers.ContentEncoding = "gzip";
            await using var gzip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await file.CopyToAsync(gzip, CopyBufferSize, context.RequestAborted);
            return;
        }

        response.ContentLength = length;
        await file.CopyToAsync(response.Body, CopyBufferSize, context.RequestAborted);
    }

    private static bool NotModified(HttpRequest request, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var ifNoneMatch = request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch is { Count: > 0 })
        {
            return ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
        }

        return request.GetTypedHeaders().IfModifiedSince is { } since && lastModified.AddTicks(-(lastModified.Ticks % TimeSpan.TicksPerSecond)) <= since;
    }

    // One range (first-last, first-, or -suffix) of the current version; anything else gets the whole file.
    private static (long Start, long End)? RangeOf(HttpRequest request, long length, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var headers = request.GetTypedHeaders();
        if (headers.Range is not { Ranges.Count: 1 } range || !"bytes".Equals(range.Unit.Value, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (headers.IfRange is { } ifRange
            && (ifRange.EntityTag is { } tag ? !tag.Compare(etag, useStrongComparison: true) : ifRange.LastModified < lastModified.AddTicks(-(lastModified.Ticks % TimeSpan.TicksPerSecond))))
        {
            return null;
        }

        var item = range.Ranges.Single();
        return (item.From, item.To) switch
        {
            ({ } from, { } to) when to >= from => (from, to),
            ({ } from, null) => (from, long.MaxValue),
            (null, { } suffix) when suffix > 0 => (Math.Max(0, length - suffix), long.MaxValue),
            _ => null,
        };
    }

    private static async Task CopyAsync(Stream source, Stream destination, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                return;
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            count -= read;
        }
    }
}
