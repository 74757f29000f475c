using System.Security.Cryptography;

namespace Paddock.Core.Sandboxes;

/// <summary>Sandbox identifiers in E2B's form: <c>i</c> followed by 20 characters of <c>[a-z0-9]</c>.</summary>
public static class SandboxId
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const int RandomLength = 20;

    /// <summary>A new random identifier.</summary>
    public static string New() => "i" + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    /// <summary>
    /// Normalises an identifier taken from a URL. E2B's SDKs may send <c>&lt;id&gt;-&lt;clientId&gt;</c>;
    /// everything from the first <c>-</c> is dropped. What remains must match <c>^[a-z0-9]+$</c>.
    /// </summary>
    public static bool TryNormalize(string? raw, out string id)
    {
        id = string.Empty;
        if (string.IsNullOrEmpty(raw))
        {
            return false;
        }

        var dash = raw.IndexOf('-', StringComparison.Ordinal);
        var candidate = dash >= 0 ? raw[..dash] : raw;
        if (candidate.Length == 0 || candidate.Length > 64)
        {
            return false;
        }

        foreach (var c in candidate)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return false;
            }
        }

        id = candidate;
        return true;
    }
}
