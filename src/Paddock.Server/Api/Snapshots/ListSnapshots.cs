using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Core.Sandboxes;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Snapshots;

/// <summary>
/// <c>GET /snapshots?sandboxID&amp;name&amp;limit&amp;nextToken</c>: the snapshots, newest first, 100 at most per page
/// (<c>limit</c> 1..100), the next page's token in <c>X-Next-Token</c> (E2B's: base64url of the last item's
/// creation time and id).
/// </summary>
internal static class ListSnapshots
{
    private const int MaxLimit = 100;

    public static async Task<IResult> HandleAsync(HttpContext context, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var errors = new List<string>();
        var limit = MaxLimit;
        if (query["limit"].ToString() is { Length: > 0 } rawLimit
            && (!int.TryParse(rawLimit, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors.Add($"limit must be an integer from 1 to {MaxLimit}, got '{rawLimit}'");
        }

        string? sandboxId = null;
        if (query["sandboxID"].ToString() is { Length: > 0 } rawSandbox)
        {
            if (SandboxId.TryNormalize(rawSandbox, out var normalized))
            {
                sandboxId = normalized;
            }
            else
            {
                errors.Add("Invalid sandbox ID");
            }
        }

        (DateTimeOffset, string)? after = null;
        if (query["nextToken"].ToString() is { Length: > 0 } token)
        {
            after = Decode(token);
            if (after is null)
            {
                errors.Add("Invalid next token");
            }
        }

        if (errors.Count > 0)
        {
            throw new PaddockException(ErrorKind.InvalidArgument, string.Join("; ", errors));
        }

        var name = query["name"].ToString() is { Length: > 0 } given ? given : null;
        var (items, last) = await lifecycle.Snapshots.ListAsync(sandboxId, name, limit, after, cancellationToken);
        if (last is not null)
        {
            context.Response.Headers["X-Next-Token"] = Encode(last.CreatedAt, last.Id);
        }

        return Results.Json(items.Select(SnapshotResponse.From).ToList(), ApiJson.Wire.ListSnapshotResponse);
    }

    private static string Encode(DateTimeOffset createdAt, string id) =>
        WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(createdAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + "__" + id));

    private static (DateTimeOffset, string)? Decode(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
            var split = text.IndexOf("__", StringComparison.Ordinal);
            return split > 0 && DateTimeOffset.TryParse(text[..split], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
                ? (at, text[(split + 2)..])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
