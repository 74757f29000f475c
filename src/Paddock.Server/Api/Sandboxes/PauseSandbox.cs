using Paddock.Core.Lifecycle;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// <c>POST /sandboxes/{id}/pause</c> with an optional <c>{"memory": bool}</c> (true by default; false is a
/// filesystem-only pause): 204, 409 when already paused, 404 when unknown or killed.
/// </summary>
internal static class PauseSandbox
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);

        var memory = body.Bool("memory");
        body.ThrowIfInvalid();
        await lifecycle.PauseAsync(id, cancellationToken, memory == false ? PauseKind.Filesystem : PauseKind.Memory);
        return Results.NoContent();
    }
}
