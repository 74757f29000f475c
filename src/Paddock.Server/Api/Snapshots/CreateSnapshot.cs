using Paddock.Core.Lifecycle;
using Paddock.Server.Api.Contracts;
using Paddock.Server.Api.Sandboxes;

namespace Paddock.Server.Api.Snapshots;

/// <summary>
/// <c>POST /sandboxes/{id}/snapshots</c> with <c>{}</c> or <c>{"name": "alias[:tag]"}</c>: 201 <c>{snapshotID, names}</c>;
/// the sandbox keeps running (or stays paused). 404 for an unknown or killed sandbox, 400 for a bad name, 409 for a
/// name:tag taken already.
/// </summary>
internal static class CreateSnapshot
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var body = await RequestBody.ReadAsync(request, required: false, cancellationToken);
        var name = body.String("name");
        body.ThrowIfInvalid();
        var snapshot = await lifecycle.Snapshots.CreateAsync(id, string.IsNullOrWhiteSpace(name) ? null : name, cancellationToken);
        return Results.Json(SnapshotResponse.From(snapshot), ApiJson.Wire.SnapshotResponse, statusCode: StatusCodes.Status201Created);
    }
}
