using System.Text;
using System.Text.RegularExpressions;

namespace Paddock.Server.Api;

/// <summary>
/// What a create request may carry. E2B states no limits for sandbox metadata and environment variables;
/// these are Paddock's, sized for what users put there (ids, labels, configuration) and small enough that a
/// sandbox record, a list page and a container's environment stay cheap. Every bad entry is named in the
/// one 400 the request gets.
/// </summary>
internal static partial class InputLimits
{
    public const int MaxMetadataEntries = 64;
    public const int MaxMetadataKeyBytes = 256;
    public const int MaxMetadataValueBytes = 2048;
    public const int MaxMetadataBytes = 32 * 1024;
    public const int MaxEnvVars = 256;
    public const int MaxEnvValueBytes = 32 * 1024;
    public const int MaxEnvBytes = 256 * 1024;

    // Each entry is a firewall element or a name the egress proxy matches per connection.
    public const int MaxEgressRules = 1000;

    /// <summary>The largest API request body (sandbox traffic, file uploads included, has no such limit).</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static void CheckMetadata(RequestBody body, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            body.AddError($"'metadata' may have at most {MaxMetadataEntries} entries, got {metadata.Count}");
        }

        var total = 0;
        foreach (var (key, value) in metadata)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(key);
            var valueBytes = Encoding.UTF8.GetByteCount(value);
            total += keyBytes + valueBytes;
            if (keyBytes == 0 || keyBytes > MaxMetadataKeyBytes || key.Any(char.IsControl))
            {
                body.AddError($"'metadata' key '{Shown(key)}' must be 1 to {MaxMetadataKeyBytes} bytes without control characters");
            }

            if (valueBytes > MaxMetadataValueBytes || value.Contains('\0', StringComparison.Ordinal))
            {
                body.AddError($"'metadata.{Shown(key)}' must be at most {MaxMetadataValueBytes} bytes, without NUL");
            }
        }

        if (total > MaxMetadataBytes)
        {
            body.AddError($"'metadata' may hold at most {MaxMetadataBytes} bytes of keys and values, got {total}");
        }
    }

    public static void CheckEnvVars(RequestBody body, IReadOnlyDictionary<string, string>? envVars)
    {
        if (envVars is null)
        {
            return;
        }

        if (envVars.Count > MaxEnvVars)
        {
            body.AddError($"'envVars' may have at most {MaxEnvVars} variables, got {envVars.Count}");
        }

        var total = 0;
        foreach (var (name, value) in envVars)
        {
            var valueBytes = Encoding.UTF8.GetByteCount(value);
            total += Encoding.UTF8.GetByteCount(name) + valueBytes + 2;
            if (!EnvVarName().IsMatch(name))
            {
                body.AddError($"'envVars' name '{Shown(name)}' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }

            if (valueBytes > MaxEnvValueBytes || value.Contains('\0', StringComparison.Ordinal))
            {
                body.AddError($"'envVars.{Shown(name)}' must be at most {MaxEnvValueBytes} bytes, without NUL");
            }
        }

        if (total > MaxEnvBytes)
        {
            body.AddError($"'envVars' may hold at most {MaxEnvBytes} bytes, got {total}");
        }
    }

    // Names echoed in errors are cut and made printable: they come from the caller.
    private static string Shown(string text)
    {
        var cut = text.Length > 64 ? text[..64] + "…" : text;
        return string.Concat(cut.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvVarName();
}
