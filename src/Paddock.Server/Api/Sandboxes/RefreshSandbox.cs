using Paddock.Core.Lifecycle;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>POST /sandboxes/{id}/refreshes</c> <c>{"duration"?: s}</c>: extends only, by at least 15 s.</summary>
internal static class RefreshSandbox
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);
        var duration = body.Int("duration");
        if (duration is < 0)
        {
            body.AddError("'duration' must not be negative");
        }

        body.ThrowIfInvalid();
        await lifecycle.RefreshAsync(id, duration, cancellationToken);
        return Results.NoContent();
    }
}
