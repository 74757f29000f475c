using Paddock.Core.Lifecycle;
using Paddock.Core.Templates;

namespace Paddock.Server.Api.Snapshots;

/// <summary>
/// <c>DELETE /templates/{id}</c> for a snapshot (its id, or its name with or without the tag, URL-encoded or
/// not): 204; 404 when there is no such snapshot; 400 while sandboxes or other snapshots are built on it, and for
/// the server's own templates, which cannot be deleted.
/// </summary>
internal static class DeleteSnapshot
{
    public static async Task<IResult> HandleAsync(string templateId, LifecycleService lifecycle, ITemplateCatalog templates, CancellationToken cancellationToken)
    {
        var reference = Uri.UnescapeDataString(templateId);
        if (templates.Find(reference) is not null)
        {
            return Results.Json(new ApiError(StatusCodes.Status400BadRequest, $"template '{reference}' is built into this server and cannot be deleted"), ApiJson.Wire.ApiError, statusCode: StatusCodes.Status400BadRequest);
        }

        return await lifecycle.Snapshots.DeleteAsync(reference, cancellationToken)
            ? Results.NoContent()
            : Results.Json(new ApiError(StatusCodes.Status404NotFound, $"template '{reference}' not found"), ApiJson.Wire.ApiError, statusCode: StatusCodes.Status404NotFound);
    }
}
