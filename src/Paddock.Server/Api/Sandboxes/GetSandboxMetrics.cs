using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Core.Runtime;
using Paddock.Core.Sandboxes;
using Paddock.Server.Api.Contracts;
using Paddock.Server.Proxy;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// <c>GET /sandboxes/{id}/metrics?start=&amp;end=</c> (unix seconds): the agent's current sample of the
/// sandbox's cgroup and disk, taken when asked. Paddock keeps no history, so the answer holds that one
/// sample when it falls in the window, and nothing for a paused sandbox.
/// </summary>
internal static class GetSandboxMetrics
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, SandboxTransport transport, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var start = Seconds(request, "start");
        var end = Seconds(request, "end");
        var record = await lifecycle.GetAsync(id, cancellationToken);
        if (record.State != SandboxState.Running)
        {
            return Results.Json(new List<SandboxMetric>(), ApiJson.Wire.ListSandboxMetric);
        }

        using var agentRequest = new HttpRequestMessage(HttpMethod.Get, SandboxTransport.DestinationOf(new SandboxTarget(id, ISandboxRuntime.AgentPort)) + "metrics");
        if (record.EnvdAccessToken is { } token)
        {
            agentRequest.Headers.Add("X-Access-Token", token);
        }

        JsonNode sample;
        try
        {
            using var response = await transport.Invoker.SendAsync(agentRequest, cancellationToken);
            response.EnsureSuccessStatusCode();
            sample = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        }
        catch (Exception ex) when (ex is HttpRequestException or SandboxPortClosedException or IOException)
        {
            throw new PaddockException(ErrorKind.Internal, $"Error getting metrics of sandbox '{id}': {ex.Message}");
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(sample["ts"]!.GetValue<long>());
        if (start is { } from && at.ToUnixTimeSeconds() < from || end is { } to && at.ToUnixTimeSeconds() > to)
        {
            return Results.Json(new List<SandboxMetric>(), ApiJson.Wire.ListSandboxMetric);
        }

        var metric = new SandboxMetric(
            WireTime.Format(at),
            at.ToUnixTimeSeconds(),
            sample["cpu_count"]!.GetValue<int>(),
            sample["cpu_used_pct"]!.GetValue<double>(),
            sample["mem_used"]!.GetValue<long>(),
            sample["mem_total"]!.GetValue<long>(),
            sample["mem_cache"]!.GetValue<long>(),
            sample["disk_used"]!.GetValue<long>(),
            sample["disk_total"]!.GetValue<long>());
        return Results.Json(new List<SandboxMetric> { metric }, ApiJson.Wire.ListSandboxMetric);
    }

    private static long? Seconds(HttpRequest request, string name)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : throw new PaddockException(ErrorKind.InvalidArgument, $"'{name}' must be a unix time in seconds, not '{raw}'");
    }
}
