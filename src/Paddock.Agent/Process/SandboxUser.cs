using System.Text;
using Paddock.Agent.Connect;

namespace Paddock.Agent.Process;

/// <summary>A user of the sandbox, from its <c>/etc/passwd</c>.</summary>
internal sealed record SandboxUser(string Name, int Uid, int Gid, string Home)
{
    /// <summary>
    /// The user a request runs as: <c>Authorization: Basic base64("name:")</c>, as E2B's SDKs send it, or
    /// the default user. An unknown name is <c>unauthenticated</c>, as envd answers.
    /// </summary>
    public static SandboxUser FromRequest(HttpRequest request, AgentState state)
    {
        var name = state.DefaultUser;
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                name = colon >= 0 ? decoded[..colon] : decoded;
            }
            catch (FormatException)
            {
                throw new ConnectException(ConnectCode.Unauthenticated, "invalid Authorization header");
            }
        }

        return Find(name) ?? throw new ConnectException(ConnectCode.Unauthenticated, $"invalid username: '{name}'");
    }

    public static SandboxUser? Find(string name)
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 6 && fields[0] == name
                && int.TryParse(fields[2], out var uid) && int.TryParse(fields[3], out var gid))
            {
                return new SandboxUser(name, uid, gid, fields[5]);
            }
        }

        return null;
    }

    /// <summary>A path as the user means it: relative paths are relative to their home.</summary>
    public string Resolve(string? path) =>
        string.IsNullOrEmpty(path) ? Home : Path.IsPathRooted(path) ? path : Path.Combine(Home, path);
}
