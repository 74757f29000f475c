using Paddock.Core.Lifecycle;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// <c>POST /sandboxes/{id}/connect</c> (v1: <c>timeout</c> required) and <c>POST /v2/sandboxes/{id}/connect</c>
/// (body optional, 300 s by default): 200 for a running sandbox, 201 when it had to be resumed. <c>memory: false</c>
/// boots a paused sandbox cold over its files.
/// </summary>
internal static class ConnectSandbox
{
    public static async Task<IResult> V1Async(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: true, cancellationToken);
        var timeout = body.Int("timeout", required: true);
        var memory = body.Bool("memory");
        body.ThrowIfInvalid();
        return await ConnectAsync(id, E2bTimeouts.Seconds(timeout!.Value), memory == false, lifecycle, cancellationToken);
    }

    public static async Task<IResult> V2Async(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);
        var timeout = body.Int("timeout");
        var memory = body.Bool("memory");
        body.ThrowIfInvalid();
        return await ConnectAsync(id, timeout is { } given ? E2bTimeouts.Seconds(given) : E2bTimeouts.V2Default, memory == false, lifecycle, cancellationToken);
    }

    // memory:false asks for a cold boot of a frozen sandbox (E2B's onResume:'reboot'); one kept on disk boots cold anyway.
    private static async Task<IResult> ConnectAsync(string id, TimeSpan timeout, bool coldBoot, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var result = await lifecycle.ConnectAsync(id, timeout, cancellationToken, coldBoot);
        return Results.Json(
            SandboxResponse.From(result.Sandbox),
            ApiJson.Wire.SandboxResponse,
            statusCode: result.Resumed ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }
}
