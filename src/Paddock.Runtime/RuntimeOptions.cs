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

    /// <summary>
    /// How long a sandbox's agent waits with nothing to do (no connection open, no process or watch of a caller's, no
    /// code context used) before it sleeps: it then holds two host tasks and a few hundred KiB instead of six threads
    /// and its heap, and the next connection wakes it in a few milliseconds. Zero: agents never sleep.
    /// </summary>
    public TimeSpan AgentSleepAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The pool of host uids and gids sandboxes map to, 65536 per sandbox. The default starts above the
    /// range login tools give to users' subordinate ids (600100000) and stays below 2^31.
    /// </summary>
    public long HostIdPoolStart { get; set; } = 1L << 30;

    /// <inheritdoc cref="HostIdPoolStart"/>
    public long HostIdPoolEnd { get; set; } = 1L << 31;

    /// <summary>
    /// Where every Paddock server on this host claims the id ranges of its sandboxes (host-wide, whatever
    /// the data dir, so two servers never share a range).
    /// </summary>
    public string HostIdClaimsDir { get; set; } = "/var/lib/paddock/host-ids";

    /// <summary>
    /// The size of the sandbox volume's image file, made when the data dir's filesystem cannot hold per-sandbox
    /// quotas itself (0: the free space of that filesystem when the image is made; the file is sparse).
    /// </summary>
    public long VolumeSizeMB { get; set; }

    /// <summary>The most a sandbox's log may hold, in MiB; the agent starts it again, with a marker, before it is full.</summary>
    public int LogLimitMB { get; set; } = 4;

    internal long LogLimitBytes => LogLimitMB * 1024L * 1024;

    /// <summary>Every broken rule, so one start reports all of them.</summary>
    public IEnumerable<string> Validate()
    {
        if (PidsLimit <= Crun.SandboxCgroups.AgentPidsReserve)
        {
            yield return $"PidsLimit must be more than the agent's reserve of {Crun.SandboxCgroups.AgentPidsReserve}";
        }

        if (LogLimitMB < 1)
        {
            yield return "LogLimitMB must be at least 1";
        }

        if (AgentSleepAfter < TimeSpan.Zero)
        {
            yield return "AgentSleepAfter must be zero (never) or a positive time";
        }

        if (VolumeSizeMB < 0)
        {
            yield return "VolumeSizeMB must be 0 (the free space) or a size in MiB";
        }

        if (HostIdPoolStart < 65536 || HostIdPoolEnd <= HostIdPoolStart || HostIdPoolEnd > uint.MaxValue)
        {
            yield return "HostIdPoolStart and HostIdPoolEnd must bound a range of host ids above 65535";
        }
    }

    /// <summary>Makes every path absolute (relative ones are taken from the working directory, as given on a command line).</summary>
    public void Normalize()
    {
        DataDir = Path.GetFullPath(DataDir);
        TemplatesDir = TemplatesDir is null ? null : Path.GetFullPath(TemplatesDir);
        AgentPath = Path.GetFullPath(AgentPath);
        HostIdClaimsDir = Path.GetFullPath(HostIdClaimsDir);
    }

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

    // Logs of ended sandboxes, copied out of their bundles by the host when they are deleted.
    internal string LogsDir => Path.Combine(DataDir, "logs");

    /// <summary>The empty, read-only directory bound over what sandboxes must not see of /proc and /sys.</summary>
    internal string EmptyDir => Path.Combine(DataDir, "empty");

    internal string KeptLogOf(string sandboxId) => Path.Combine(LogsDir, sandboxId + ".log");

    internal string LiveLogOf(string sandboxId) => Path.Combine(BundleOf(sandboxId), Host.SandboxVolume.LogDir, Host.SandboxVolume.LogFileName);
}
