using Paddock.Server.Api.Sandboxes;

namespace Paddock.Server.Api;

/// <summary>The REST API, route by route, as E2B's SDKs call it.</summary>
internal static class ApiEndpoints
{
    public static void MapPaddockApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Text("OK"));
        app.MapGet("/metrics", Metrics.GetHostMetrics.HandleAsync);

        app.MapPost("/sandboxes", CreateSandbox.V1Async);
        app.MapPost("/v2/sandboxes", CreateSandbox.V2Async);
        app.MapGet("/sandboxes", ListSandboxes.V1Async);
        app.MapGet("/v2/sandboxes", ListSandboxes.V2Async);
        app.MapGet("/sandboxes/{sandboxId}", GetSandbox.HandleAsync);
        app.MapDelete("/sandboxes/{sandboxId}", KillSandbox.HandleAsync);
        app.MapGet("/templates", Templates.ListTemplates.Handle);
        app.MapGet("/templates/aliases/{alias}", Templates.GetTemplateAlias.Handle);
        app.MapGet("/sandboxes/{sandboxId}/metrics", GetSandboxMetrics.HandleAsync);
        app.MapGet("/sandboxes/{sandboxId}/logs", GetSandboxLogs.V1Async);
        app.MapGet("/v2/sandboxes/{sandboxId}/logs", GetSandboxLogs.V2Async);
        app.MapPost("/sandboxes/{sandboxId}/timeout", SetSandboxTimeout.HandleAsync);
        app.MapPut("/sandboxes/{sandboxId}/network", UpdateSandboxNetwork.HandleAsync);
        app.MapPost("/sandboxes/{sandboxId}/refreshes", RefreshSandbox.HandleAsync);
        app.MapPost("/sandboxes/{sandboxId}/pause", PauseSandbox.HandleAsync);
        app.MapPost("/sandboxes/{sandboxId}/resume", ResumeSandbox.HandleAsync);
        app.MapPost("/sandboxes/{sandboxId}/connect", ConnectSandbox.V1Async);
        app.MapPost("/v2/sandboxes/{sandboxId}/connect", ConnectSandbox.V2Async);
        app.MapPost("/sandboxes/{sandboxId}/snapshots", Snapshots.CreateSnapshot.HandleAsync);
        app.MapGet("/snapshots", Snapshots.ListSnapshots.HandleAsync);
        app.MapDelete("/templates/{templateId}", Snapshots.DeleteSnapshot.HandleAsync);
        app.MapPost("/sandboxes/{sandboxId}/fork", ForkSandbox.HandleAsync);
        app.MapUnbuiltEndpoints();
    }
}
