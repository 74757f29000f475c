using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>Ends every sandbox whose init dies on its own, with the reason the runtime saw, as the runtime reports them.</summary>
internal sealed class InitExitHandler(ISandboxStore store, ISandboxRuntime runtime, SandboxStateChanges changes, ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var exit in runtime.WatchExitsAsync(cancellationToken))
            {
                try
                {
                    using var held = await changes.Locks.AcquireAsync(exit.SandboxId, cancellationToken);
                    var record = await store.GetAsync(exit.SandboxId, CancellationToken.None);

                    // A create that is still waiting for its agent fails on its own; a killed one is done.
                    if (record is { State: SandboxState.Running or SandboxState.Paused })
                    {
                        OperatorLog.SandboxExited(logger, exit.SandboxId, exit.Reason, exit.Detail);
                        await changes.KillAsync(record, exit.Reason, exit.Detail);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    OperatorLog.SandboxExitFailed(logger, exit.SandboxId, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
