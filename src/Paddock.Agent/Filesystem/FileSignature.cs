using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// envd's signed <c>/files</c> URLs: <c>v1_</c> + base64 (no padding) of
/// SHA-256(<c>path:operation:user:accessToken[:expiration]</c>), valid until the expiration (unix seconds).
/// </summary>
internal static class FileSignature
{
    public static string Sign(string path, string operation, string user, string token, long? expiration)
    {
        var text = $"{path}:{operation}:{user}:{token}" + (expiration is { } e ? ":" + e.ToString(CultureInfo.InvariantCulture) : string.Empty);
        return "v1_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text))).TrimEnd('=');
    }

    /// <summary>
    /// Why a /files request may not go on, in envd's words and order, or null when it may: no token set, the right
    /// header, or a valid signature (checked first) that has not expired.
    /// </summary>
    public static string? Refusal(HttpRequest request, AgentState state, string operation)
    {
        if (state.AccessToken is not { } token)
        {
            return null;
        }

        if (request.Headers.ContainsKey(Http.AccessToken.Header))
        {
            return Http.AccessToken.Carries(request, token) ? null : "access token present in header but does not match";
        }

        var signature = request.Query["signature"].ToString();
        if (signature.Length == 0)
        {
            return "missing signature query parameter";
        }

        long? expiration = null;
        if (request.Query["signature_expiration"].ToString() is { Length: > 0 } raw)
        {
            if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                return "invalid signature expiration";
            }

            expiration = e;
        }

        var expected = Sign(request.Query["path"].ToString(), operation, request.Query["username"].ToString(), token, expiration);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return "invalid signature";
        }

        return expiration < DateTimeOffset.UtcNow.ToUnixTimeSeconds() ? "signature is already expired" : null;
    }
}
