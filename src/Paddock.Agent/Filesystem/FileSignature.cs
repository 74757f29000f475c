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

    /// <summary>Whether a /files request may go on: no token set, the right header, or a valid unexpired signature.</summary>
    public static bool Allows(HttpRequest request, AgentState state, string operation)
    {
        if (state.AccessToken is not { } token || Http.AccessToken.Carries(request, token))
        {
            return true;
        }

        var signature = request.Query["signature"].ToString();
        if (signature.Length == 0)
        {
            return false;
        }

        long? expiration = null;
        if (request.Query["signature_expiration"].ToString() is { Length: > 0 } raw)
        {
            if (!long.TryParse(raw, CultureInfo.InvariantCulture, out var e) || e < DateTimeOffset.UtcNow.ToUnixTimeSeconds())
            {
                return false;
            }

            expiration = e;
        }

        var expected = Sign(request.Query["path"].ToString(), operation, request.Query["username"].ToString(), token, expiration);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }
}
