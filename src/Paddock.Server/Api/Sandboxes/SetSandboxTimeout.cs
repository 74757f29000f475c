using Paddock.Core.Lifecycle;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>POST /sandboxes/{id}/timeout</c> <c>{"timeout": s}</c>: <c>endAt = now + timeout</c>, shorter or longer.</summary>
internal static class SetSandboxTimeout
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: true, cancellationToken);
        var timeout = body.Int("timeout", required: true);
        body.ThrowIfInvalid();
        await lifecycle.SetTimeoutAsync(id, E2bTimeouts.Seconds(timeout!.Value), cancellationToken);
        return Results.NoContent();
    }
}
