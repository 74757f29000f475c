using Paddock.Core.Lifecycle;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>GET /sandboxes/{id}</c>.</summary>
internal static class GetSandbox
{
    public static async Task<IResult> HandleAsync(string sandboxId, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var record = await lifecycle.GetAsync(SandboxRoute.Id(sandboxId), cancellationToken);
        return Results.Json(SandboxDetail.From(record), ApiJson.Wire.SandboxDetail);
    }
}
