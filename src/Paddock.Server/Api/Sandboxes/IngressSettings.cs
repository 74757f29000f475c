using System.Globalization;
using System.Text.Json;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// The create body's ingress settings, <c>network.allowPublicTraffic</c> and <c>network.maskRequestHost</c>, checked
/// as E2B's API checks them and with its messages: private ports need a secure sandbox, and the mask must be
/// <c>host[:port]</c> with an ASCII host name; and <c>network.httpsPorts</c>, the ports whose servers speak HTTPS.
/// </summary>
internal sealed record IngressSettings(bool AllowPublicTraffic, string? MaskRequestHost, IReadOnlyList<int> HttpsPorts)
{
    /// <summary>Public ports, each request's own Host, plain HTTP.</summary>
    public static readonly IngressSettings Default = new(true, null, []);

    // UseStd3AsciiRules: letters, digits and hyphens only, as E2B's IDNA profile for display requires.
    private static readonly IdnMapping s_idn = new() { UseStd3AsciiRules = true };

    /// <summary>Reads the settings, adding an error to <paramref name="body"/> for each bad one.</summary>
    public static IngressSettings Read(RequestBody body, bool secure)
    {
        if (body.Object("network") is not { } network)
        {
            return Default;
        }

        var allowPublicTraffic = true;
        if (network.TryGetProperty("allowPublicTraffic", out var allow))
        {
            switch (allow.ValueKind)
            {
                case JsonValueKind.False:
                    allowPublicTraffic = false;
                    break;
                case JsonValueKind.True or JsonValueKind.Null:
                    break;
                default:
                    body.AddError("'network.allowPublicTraffic' must be a boolean");
                    break;
            }
        }

        if (!allowPublicTraffic && !secure)
        {
            body.AddError("You cannot create a sandbox without public access unless you enable secure envd access via 'secure' flag.");
        }

        string? mask = null;
        if (network.TryGetProperty("maskRequestHost", out var maskValue))
        {
            if (maskValue.ValueKind == JsonValueKind.String)
            {
                mask = maskValue.GetString()!;
                if (MaskError(mask) is { } error)
                {
                    body.AddError(error);
                }
            }
            else if (maskValue.ValueKind != JsonValueKind.Null)
            {
                body.AddError("'network.maskRequestHost' must be a string");
            }
        }

        return new IngressSettings(allowPublicTraffic, mask, ReadHttpsPorts(body, network));
    }

    // Port numbers of the sandbox's own servers; the agent's port is the agent's, which speaks plain HTTP.
    private static IReadOnlyList<int> ReadHttpsPorts(RequestBody body, JsonElement network)
    {
        if (!network.TryGetProperty("httpsPorts", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            body.AddError("'network.httpsPorts' must be an array of port numbers");
            return [];
        }

        var ports = new SortedSet<int>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var port) || port is < 1 or > 65535)
            {
                body.AddError($"'network.httpsPorts' entry {item.GetRawText()} is not a port number (1-65535)");
            }
            else if (port == Core.SandboxRuntime.ISandboxRuntime.AgentPort)
            {
                body.AddError($"'network.httpsPorts' cannot list the envd port {port}");
            }
            else
            {
                ports.Add(port);
            }
        }

        return [.. ports];
    }

    /// <summary>E2B's complaint about a Host mask, or null when it is <c>host[:port]</c> with an ASCII host.</summary>
    internal static string? MaskError(string mask)
    {
        if (!HostPort.TrySplit(mask, out var host))
        {
            return $"mask request host is not valid: {mask}";
        }

        string ascii;
        try
        {
            // Go's IDNA accepts an empty host (":8080"); .NET's does not.
            ascii = host.Length == 0 ? host : s_idn.GetAscii(host);
        }
        catch (ArgumentException)
        {
            return $"mask request host is not valid: {mask}";
        }

        if (!string.Equals(ascii, host, StringComparison.OrdinalIgnoreCase))
        {
            return $"mask request host '{host}' is not ASCII. Please use ASCII characters only.";
        }

        // Stricter than E2B: the port part becomes part of a header too, so no spaces, controls or non-ASCII.
        return mask.All(c => c is > ' ' and < '\x7f') ? null : $"mask request host is not valid: {mask}";
    }
}
