using Paddock.Core.Lifecycle;
using Paddock.Runtime;
using Paddock.Server.Auth;
using Paddock.Server.Configuration;

namespace Paddock.Server.Hosting;

/// <summary>
/// Brings the server up before it accepts requests (host checks, API keys, startup reconciliation and
/// deadlines) and, on a clean stop, releases the template views and the sandbox volume when no sandbox needs them. Running sandboxes are
/// left running: they outlive the server and the next start picks them up.
/// </summary>
internal sealed class PaddockStartup(
    RuntimeHost runtime,
    ApiKeys apiKeys,
    LifecycleService lifecycle,
    PaddockSettings settings,
    ILogger<PaddockStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await runtime.StartAsync(cancellationToken);
        await apiKeys.InitializeAsync(settings.ApiKey, cancellationToken);
        await lifecycle.StartAsync(cancellationToken);
        logger.LogInformation("Paddock is ready; data dir {DataDir}", settings.DataDir);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await lifecycle.StopAsync();
        runtime.ReleaseIfIdle();
    }
}
