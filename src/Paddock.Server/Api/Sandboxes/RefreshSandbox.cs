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
        else if (duration is { } asked && E2bTimeouts.Seconds(asked) > E2bTimeouts.MaxRefresh)
        {
            body.AddError($"duration must be at most {E2bTimeouts.MaxRefresh.TotalSeconds:0} seconds");
        }

        body.ThrowIfInvalid();

        // A missing or too small duration is raised to the minimum, as E2B's API does.
        var by = duration is { } given && E2bTimeouts.Seconds(given) > E2bTimeouts.MinRefresh ? E2bTimeouts.Seconds(given) : E2bTimeouts.MinRefresh;
        await lifecycle.ExtendAsync(id, by, cancellationToken);
        return Results.NoContent();
    }
}
