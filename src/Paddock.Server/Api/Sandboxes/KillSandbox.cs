using Paddock.Core.Lifecycle;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>DELETE /sandboxes/{id}</c>: 204, or 404 for an unknown or already killed sandbox.</summary>
internal static class KillSandbox
{
    public static async Task<IResult> HandleAsync(string sandboxId, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        await lifecycle.KillAsync(SandboxRoute.Id(sandboxId), cancellationToken);
        return Results.NoContent();
    }
}
