using Paddock.Core.Lifecycle;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>POST /sandboxes/{id}/resume</c> (deprecated by E2B): 201, or 409 when the sandbox already runs.</summary>
internal static class ResumeSandbox
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);
        var timeout = body.Int("timeout");
        body.Bool("autoPause");
        var coldBoot = body.Bool("memory") == false;
        body.ThrowIfInvalid();
        var record = await lifecycle.ResumeAsync(id, timeout is { } given ? E2bTimeouts.Seconds(given) : E2bTimeouts.V1Default, cancellationToken, coldBoot);
        return Results.Json(SandboxResponse.From(record), ApiJson.Wire.SandboxResponse, statusCode: StatusCodes.Status201Created);
    }
}
