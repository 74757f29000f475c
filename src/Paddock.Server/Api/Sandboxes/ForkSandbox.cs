using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// <c>POST /sandboxes/{id}/fork</c> with an optional <c>{timeout, count}</c> (15 s and 1 by default; count 1..100, below
/// the server's sandbox limit): 201 with one entry per fork, in order, each a sandbox or an error. The forks' files
/// are the parent's at this moment; with this runtime their processes start fresh. 404 for an unknown or killed
/// parent, 409 for a paused one.
/// </summary>
internal static class ForkSandbox
{
    private const int MaxCount = 100;

    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);
        var timeout = body.Int("timeout");
        var count = body.Int("count") ?? 1;
        if (count < 1)
        {
            body.AddError("Count must be at least 1");
        }
        else if (count > MaxCount)
        {
            body.AddError($"Count cannot be greater than {MaxCount}");
        }
        else if (lifecycle.Options.MaxSandboxes is { } max && count >= max)
        {
            body.AddError($"Count must be lower than the maximum number of concurrent sandboxes ({max})");
        }

        body.ThrowIfInvalid();
        var forks = await lifecycle.ForkAsync(id, count, timeout is { } given ? E2bTimeouts.Seconds(given) : E2bTimeouts.V1Default, cancellationToken);
        var entries = forks.Select(f => f.Sandbox is { } sandbox
            ? new ForkEntry(SandboxResponse.From(sandbox), null)
            : new ForkEntry(null, ErrorOf(f.Error!))).ToList();
        return Results.Json(entries, ApiJson.Wire.ListForkEntry, statusCode: StatusCodes.Status201Created);
    }

    private static ApiError ErrorOf(PaddockException error) => new(ApiError.StatusOf(error.Kind), E2bErrorText.Of(error), error.ErrorCode);
}
