using Paddock.Core.Lifecycle;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// <c>PUT /sandboxes/{id}/network</c>: E2B's full replace of a sandbox's outbound rules (omitted lists are
/// cleared; internet access changes only when given). 204 once the rules hold for open and new connections.
/// </summary>
internal static class UpdateSandboxNetwork
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);
        var rules = EgressSettings.ReadUpdate(body);
        body.ThrowIfInvalid();
        await lifecycle.UpdateNetworkAsync(id, rules, cancellationToken);
        return Results.NoContent();
    }
}
