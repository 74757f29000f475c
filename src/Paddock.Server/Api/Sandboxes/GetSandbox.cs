using Microsoft.Extensions.Options;
using Paddock.Core.Lifecycle;
using Paddock.Runtime.Network;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>GET /sandboxes/{id}</c>.</summary>
internal static class GetSandbox
{
    public static async Task<IResult> HandleAsync(string sandboxId, LifecycleService lifecycle, IOptions<NetworkOptions> network, CancellationToken cancellationToken)
    {
        var record = await lifecycle.GetAsync(SandboxRoute.Id(sandboxId), cancellationToken);
        var internet = network.Value.Enabled && (record.AllowInternetAccess ?? network.Value.InternetAccess);
        return Results.Json(SandboxDetail.From(record, internet), ApiJson.Wire.SandboxDetail);
    }
}
