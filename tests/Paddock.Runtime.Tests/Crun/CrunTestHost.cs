using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;
using Paddock.Runtime.Network;
using Paddock.Runtime.Native;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime.Tests.Crun;

/// <summary>
/// The crun runtime's parts over a temporary data dir, as a server would assemble them: needs root and crun,
/// and fails loudly without them. Templates come from the machine's shared cache.
/// </summary>
internal sealed class CrunTestHost
{
    private CrunTestHost(RuntimeOptions options) => Options = options;

    public RuntimeOptions Options { get; }

    public TemplateCatalog Templates { get; private set; } = null!;

    public HostSetup Host { get; private set; } = null!;

    public SandboxVolume Volume { get; private set; } = null!;

    public HostIdSlots Slots { get; private set; } = null!;

    public static async Task<CrunTestHost> StartAsync()
    {
        if (Libc.GetEffectiveUserId() != 0)
        {
            throw new InvalidOperationException("The crun runtime tests create real containers and must run as root.");
        }

        var dataDir = Directory.CreateTempSubdirectory("paddock-runtime-").FullName;
        var host = new CrunTestHost(new RuntimeOptions
        {
            DataDir = dataDir,
            TemplatesDir = Environment.GetEnvironmentVariable("PADDOCK_TEST_TEMPLATES_DIR") is { Length: > 0 } t ? t : "/var/lib/paddock/templates",
            CrunRoot = $"/run/paddock-test/{Path.GetFileName(dataDir)}",
            AgentPath = FindAgent(),
        });
        host.Host = new HostSetup(host.Options);
        await host.Host.PrepareAsync(CancellationToken.None);
        host.Volume = new SandboxVolume(host.Options);
        await host.Volume.MountAsync(CancellationToken.None);
        host.Slots = new HostIdSlots(host.Options);
        host.Templates = new TemplateCatalog(host.Options, new TemplateBuilder(host.Options, NullLogger<TemplateBuilder>.Instance));
        Assert.NotNull(await host.Templates.ResolveAsync("base", CancellationToken.None));
        return host;
    }

    // The runtime's own contract: sandboxes without a network (the networking tests bring their own "internet").
    public CrunRuntime Runtime(RuntimeOptions? options = null) =>
        new(options ?? Options, Templates, Host, Volume, Slots, new SandboxNetworking(new NetworkOptions { Enabled = false }, Options.DataDir, NullLogger<SandboxNetworking>.Instance), NullLogger<CrunRuntime>.Instance);

    /// <summary>The pid of a sandbox's init, as crun wrote it.</summary>
    public int InitPidOf(string sandboxId) =>
        int.Parse(File.ReadAllText(Path.Combine(Options.DataDir, "sandboxes", sandboxId, "init.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Gives everything back and checks nothing is left mounted.</summary>
    public void Stop()
    {
        Templates.ReleaseMounts();
        Slots.ReleaseSpares();
        Volume.UnmountIfEmpty();
        Assert.Empty(MountTable.MountPointsUnder(Options.DataDir));
        Directory.Delete(Options.DataDir, recursive: true);
        if (Directory.Exists(Options.ResolvedCrunRoot))
        {
            Directory.Delete(Options.ResolvedCrunRoot, recursive: true);
        }
    }

    private static string FindAgent()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var agent = Path.Combine(dir.FullName, "artifacts", "agent", "paddock-agent");
            if (File.Exists(agent))
            {
                return agent;
            }
        }

        throw new InvalidOperationException("artifacts/agent/paddock-agent is missing: run dotnet publish src/Paddock.Agent -c Release -o artifacts/agent");
    }
}
