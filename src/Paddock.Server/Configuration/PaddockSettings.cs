using System.Globalization;
using Paddock.Core.Lifecycle;
using Paddock.Runtime;

namespace Paddock.Server.Configuration;

/// <summary>The server's settings, read from the <c>Paddock</c> configuration section.</summary>
internal sealed class PaddockSettings
{
    public const string DefaultUrl = "http://127.0.0.1:3000";

    /// <summary>Command-line flags and the settings they set.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Paddock:DataDir",
        ["--templates-dir"] = "Paddock:TemplatesDir",
        ["--api-key"] = "Paddock:ApiKey",
        ["--max-lifetime"] = "Paddock:MaxLifetime",
        ["--paused-retention"] = "Paddock:PausedRetention",
    };

    public required string DataDir { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>Sandbox traffic may also be routed by host name, <c>&lt;port&gt;-&lt;sandboxId&gt;.&lt;Domain&gt;</c>.</summary>
    public string? Domain { get; init; }

    public required RuntimeOptions Runtime { get; init; }

    public required LifecycleOptions Lifecycle { get; init; }

    public string DatabasePath => Path.Combine(DataDir, "paddock.db");

    public static PaddockSettings Load(IConfiguration configuration)
    {
        var section = configuration.GetSection("Paddock");
        var errors = new List<string>();
        var dataDir = Path.GetFullPath(section["DataDir"] is { Length: > 0 } d ? d : "/var/lib/paddock");

        var lifecycle = new LifecycleOptions
        {
            MaxLifetime = Duration(section, "MaxLifetime", TimeSpan.FromHours(24), errors),
            PausedRetention = Duration(section, "PausedRetention", TimeSpan.FromDays(30), errors),
            CpuCount = Integer(section, "CpuCount", 2, errors),
            MemoryMB = Integer(section, "MemoryMB", 512, errors),
            DiskSizeMB = Integer(section, "DiskSizeMB", 10 * 1024, errors),
        };
        errors.AddRange(lifecycle.Validate());

        var runtime = new RuntimeOptions
        {
            DataDir = dataDir,
            TemplatesDir = section["TemplatesDir"] is { Length: > 0 } t ? Path.GetFullPath(t) : null,
            CrunRoot = section["CrunRoot"] is { Length: > 0 } r ? r : null,
            CrunPath = section["CrunPath"] is { Length: > 0 } c ? c : "crun",
            PidsLimit = Integer(section, "PidsLimit", 1024, errors),
            VolumeSizeMB = Integer(section, "VolumeSizeMB", 0, errors),
            LogLimitBytes = Integer(section, "LogLimitMB", 4, errors) * 1024L * 1024,
        };
        if (runtime.LogLimitBytes < 1024 * 1024)
        {
            errors.Add("LogLimitMB must be at least 1");
        }

        if (runtime.VolumeSizeMB < 0)
        {
            errors.Add("VolumeSizeMB must be 0 (the free space) or a size in MiB");
        }

        if (section["HostIdClaimsDir"] is { Length: > 0 } claims)
        {
            runtime.HostIdClaimsDir = Path.GetFullPath(claims);
        }
        if (section["AgentPath"] is { Length: > 0 } agent)
        {
            runtime.AgentPath = Path.GetFullPath(agent);
        }

        var apiKey = section["ApiKey"] is { Length: > 0 } k ? k : null;
        if (apiKey is not null && !Auth.ApiKeys.IsWellFormed(apiKey))
        {
            errors.Add("ApiKey (PADDOCK_API_KEY) must be 'e2b_' followed by 40 lowercase hex characters");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid Paddock configuration:\n  " + string.Join("\n  ", errors));
        }

        var domain = section["Domain"] is { Length: > 0 } dom ? dom.Trim('.').ToLowerInvariant() : null;
        return new PaddockSettings { DataDir = dataDir, ApiKey = apiKey, Runtime = runtime, Lifecycle = lifecycle, Domain = domain };
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback, List<string> errors)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"{key} must be a duration such as 01:00:00 or 30.00:00:00 (got '{raw}')");
        return fallback;
    }

    private static int Integer(IConfigurationSection section, string key, int fallback, List<string> errors)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"{key} must be an integer (got '{raw}')");
        return fallback;
    }
}
