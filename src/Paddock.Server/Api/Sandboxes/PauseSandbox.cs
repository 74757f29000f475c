using Paddock.Core.Lifecycle;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>POST /sandboxes/{id}/pause</c>: 204, 409 when already paused, 404 when unknown or killed.</summary>
internal static class PauseSandbox
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);

        UnbuiltOptions.CheckMemory(body, "pause");
        body.ThrowIfInvalid();
        await lifecycle.PauseAsync(id, cancellationToken);
        return Results.NoContent();
    }
}
