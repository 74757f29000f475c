using System.Text.Json;

namespace Paddock.Agent.Http;

/// <summary>envd's plain HTTP endpoints that are not about files.</summary>
internal static class EnvdEndpoints
{
    public static void MapEnvd(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.NoContent());
        app.MapGet("/envs", (AgentState state) => Results.Json(new Dictionary<string, string>(state.EnvVars), AgentJson.Default.DictionaryStringString));
        app.MapGet("/metrics", async (CancellationToken cancellationToken) =>
            Results.Json(await SandboxMetrics.ReadAsync(cancellationToken), AgentJson.Default.MetricsResponse));
        app.MapPost("/init", async (HttpRequest request, AgentState state, CancellationToken cancellationToken) =>
        {
            InitRequest? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync(request.Body, AgentJson.Default.InitRequest, cancellationToken);
            }
            catch (JsonException ex)
            {
                return Results.Json(new ErrorBody(400, $"invalid init body: {ex.Message}"), AgentJson.Default.ErrorBody, statusCode: 400);
            }

            state.Apply(body ?? new InitRequest());
            return Results.NoContent();
        });
    }
}
