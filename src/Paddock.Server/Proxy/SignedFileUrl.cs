using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Paddock.Core.Lifecycle;
using Paddock.Core.SandboxRuntime;

namespace Paddock.Server.Proxy;

/// <summary>
/// A signed file URL (<c>GET|POST /files?path=…&amp;signature=…</c>, from the SDKs' <c>downloadUrl()</c> /
/// <c>uploadUrl()</c>) that names no sandbox: with <c>E2B_SANDBOX_URL</c> the SDKs build it on that address, without
/// the routing headers a browser or <c>curl</c> would not send anyway. The signature is envd's, a hash over path,
/// operation, user, the sandbox's access token and expiry, so it names its sandbox: the running secure sandbox
/// whose token produces it (compared in constant time). The agent then checks it again, expiry included.
/// </summary>
internal static class SignedFileUrl
{
    private const string FilesPath = "/files";

    /// <summary>Whether the request is a signed file URL at all (then it is never an API call).</summary>
    public static bool IsSigned(HttpRequest request) =>
        string.Equals(request.Path.Value, FilesPath, StringComparison.Ordinal) && request.Query["signature"].ToString().Length > 0;

    /// <summary>The target of a signed file URL, or null when the request is not one or no running sandbox signed it.</summary>
    public static SandboxTarget? Resolve(HttpRequest request, RunningSandboxes running)
    {
        if (!IsSigned(request))
        {
            return null;
        }

        var signature = request.Query["signature"].ToString();

        var operation = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? "read"
            : HttpMethods.IsPost(request.Method) ? "write"
            : null;
        if (operation is null)
        {
            return null;
        }

        var path = request.Query["path"].ToString();
        var user = request.Query["username"].ToString();
        var expiration = request.Query["signature_expiration"].ToString();
        var given = Encoding.ASCII.GetBytes(signature);
        var id = running.FindByAccessToken(token => CryptographicOperations.FixedTimeEquals(Sign(path, operation, user, token, expiration), given));
        return id is null ? null : new SandboxTarget(id, ISandboxRuntime.AgentPort);
    }

    // envd's v1 signature: "v1_" + unpadded base64 of SHA-256("path:operation:user:token[:expiration]").
    private static byte[] Sign(string path, string operation, string user, string token, string expiration)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{path}:{operation}:{user}:{token}") + (expiration.Length > 0 ? ":" + expiration : string.Empty);
        return Encoding.ASCII.GetBytes("v1_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text))).TrimEnd('='));
    }
}
