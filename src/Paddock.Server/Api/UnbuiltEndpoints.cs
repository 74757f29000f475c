namespace Paddock.Server.Api;

/// <summary>
/// E2B endpoints this server does not serve yet. Each answers 501 with E2B's <c>{code, message}</c> naming the
/// feature, which the SDKs report as an error carrying that message; a 404 would read as "sandbox not found"
/// (a feature) or as "no such template" (<c>Template.exists</c>), which is not what happened.
/// </summary>
internal static class UnbuiltEndpoints
{
    private static readonly (string Method, string Pattern, string Feature)[] s_endpoints =
    [
        ("GET", "/templates/{templateId}", "Template details"),
        ("POST", "/templates", "Building templates"),
        ("POST", "/templates/{templateId}", "Building templates"),
        ("POST", "/templates/{templateId}/builds/{buildId}", "Building templates"),
        ("GET", "/templates/{templateId}/builds/{buildId}/status", "Building templates"),
        ("GET", "/templates/{templateId}/builds/{buildId}/logs", "Building templates"),
        ("GET", "/templates/{templateId}/files/{hash}", "Building templates"),
        ("POST", "/v2/templates", "Building templates"),
        ("GET", "/v2/templates", "Paginated template listing"),
        ("PATCH", "/v2/templates/{templateId}", "Changing templates"),
        ("POST", "/v2/templates/{templateId}/builds/{buildId}", "Building templates"),
        ("POST", "/v3/templates", "Building templates"),
        ("GET", "/templates/{templateId}/tags", "Template tags"),
        ("POST", "/templates/tags", "Template tags"),
        ("DELETE", "/templates/tags", "Template tags"),
        ("GET", "/volumes", "Volumes"),
        ("POST", "/volumes", "Volumes"),
        ("GET", "/volumes/{volumeId}", "Volumes"),
        ("DELETE", "/volumes/{volumeId}", "Volumes"),
        ("GET", "/secrets", "Secrets"),
        ("POST", "/secrets", "Secrets"),
        ("GET", "/secrets/{secretId}", "Secrets"),
        ("POST", "/secrets/{secretId}", "Secrets"),
        ("DELETE", "/secrets/{secretId}", "Secrets"),
        ("GET", "/teams", "Teams"),
        ("GET", "/teams/{teamId}/metrics", "Team metrics"),
        ("GET", "/teams/{teamId}/metrics/max", "Team metrics"),
        ("GET", "/api-keys", "API key management"),
        ("POST", "/api-keys", "API key management"),
        ("PATCH", "/api-keys/{apiKeyId}", "API key management"),
        ("DELETE", "/api-keys/{apiKeyId}", "API key management"),
    ];

    public static void MapUnbuiltEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var (method, pattern, feature) in s_endpoints)
        {
            var message = $"{feature} is not supported by this Paddock server yet";
            app.MapMethods(pattern, [method], (HttpContext context) => ApiError.WriteAsync(context, StatusCodes.Status501NotImplemented, message));
        }
    }
}
