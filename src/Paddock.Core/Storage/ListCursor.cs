using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Paddock.Core.Storage;

/// <summary>
/// The position after which a listing continues. On the wire it has E2B's format,
/// <c>base64url(RFC3339Nano(startedAt) + "__" + sandboxId [+ "__asc"])</c>, so a token says which
/// order it was issued for.
/// </summary>
public sealed record ListCursor(DateTimeOffset StartedAt, string SandboxId, bool Ascending)
{
    private const string Separator = "__";

    /// <summary>The token sent in <c>X-Next-Token</c>.</summary>
    public string Encode()
    {
        var time = StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        var text = time + Separator + SandboxId + (Ascending ? Separator + "asc" : string.Empty);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Parses a token; false when it is not one this server could have issued.</summary>
    public static bool TryDecode(string token, out ListCursor? cursor)
    {
        cursor = null;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token.TrimEnd('='));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split(Separator);
        if (parts.Length is < 2 or > 3 || (parts.Length == 3 && parts[2] != "asc"))
        {
            return false;
        }

        if (!DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startedAt)
            || !Sandboxes.SandboxId.TryNormalize(parts[1], out var id) || id != parts[1])
        {
            return false;
        }

        cursor = new ListCursor(startedAt, id, parts.Length == 3);
        return true;
    }
}
