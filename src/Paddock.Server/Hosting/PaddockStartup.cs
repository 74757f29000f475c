using Paddock.Core.Lifecycle;

namespace Paddock.Server.Hosting;

/// <summary>
/// Brings the lifecycle up before the API accepts requests (startup reconciliation and deadlines; the store
/// and the runtime have started before it), and on a clean stop stops its timers and watchers.
/// </summary>
internal sealed class PaddockStartup(LifecycleService lifecycle, ILogger<PaddockStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await lifecycle.StartAsync(cancellationToken);
        logger.LogInformation("Paddock is ready");
    }

    public Task StopAsync(CancellationToken cancellationToken) => lifecycle.StopAsync();
}
