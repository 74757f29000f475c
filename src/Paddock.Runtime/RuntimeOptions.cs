using System.Security.Cryptography;
using System.Text;

namespace Paddock.Runtime;

/// <summary>Where the runtime keeps its state and how it builds containers; every setting has a default.</summary>
public sealed class RuntimeOptions
{
    /// <summary>The data dir; sandboxes live in <c>sandboxes/&lt;id&gt;</c> below it.</summary>
    public string DataDir { get; set; } = "/var/lib/paddock";

    /// <summary>Where built templates are cached (default <c>&lt;DataDir&gt;/templates</c>).</summary>
    public string? TemplatesDir { get; set; }

    /// <summary>crun's state directory (default: a directory under <c>/run/paddock</c> unique to the data dir).</summary>
    public string? CrunRoot { get; set; }

    /// <summary>The crun binary.</summary>
    public string CrunPath { get; set; } = "crun";

    /// <summary>
    /// The in-sandbox agent's executable (Native AOT); its directory is bind-mounted read-only into every
    /// sandbox. Default: <c>agent/paddock-agent</c> beside the server.
    /// </summary>
    public string AgentPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "agent", "paddock-agent");

    /// <summary>How long a new sandbox's agent may take to answer before the create fails.</summary>
    public TimeSpan AgentReadyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first host uid (and gid) that root inside a sandbox maps to.</summary>
    public int HostIdBase { get; set; } = 100000;

    /// <summary>How many uids and gids a sandbox's user namespace maps.</summary>
    public int HostIdCount { get; set; } = 65536;

    /// <summary>The most processes one sandbox may have.</summary>
    public int PidsLimit { get; set; } = 1024;

    internal string SandboxesDir => Path.Combine(DataDir, "sandboxes");

    internal string TemplateMountsDir => Path.Combine(DataDir, "mnt");

    internal string ResolvedTemplatesDir => TemplatesDir ?? Path.Combine(DataDir, "templates");

    // One crun state dir per data dir, so two servers on one host never see each other's containers.
    internal string ResolvedCrunRoot => CrunRoot ?? Path.Combine(
        "/run/paddock",
        "crun-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(DataDir))))[..12]);

    internal string BundleOf(string sandboxId) => Path.Combine(SandboxesDir, sandboxId);

    internal string LogsDir => Path.Combine(DataDir, "logs");

    internal string LogOf(string sandboxId) => Path.Combine(LogsDir, sandboxId + ".log");
}
