using System.Net;
using System.Text.Json;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>E2B's sandbox log endpoints over a real sandbox: the platform's events and the agent's, kept after a kill.</summary>
[Collection(ContainersCollection.Name)]
public sealed class SandboxLogsTests(SharedServer shared)
{
    private ApiClient Api => shared.Client;

    private static string[] Messages(JsonElement logs) =>
        logs.EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToArray();

    [Fact]
    public async Task V2Logs_TellTheLifecycle_AndTheAgent_AndOutliveTheSandbox()
    {
        var id = await Api.CreateAsync();
        (await Api.PostAsync($"/sandboxes/{id}/pause")).AssertStatus(HttpStatusCode.NoContent);
        (await Api.PostAsync($"/sandboxes/{id}/connect", new { timeout = 60 })).AssertStatus(HttpStatusCode.Created);
        (await Api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);

        var logs = (await Api.GetAsync($"/v2/sandboxes/{id}/logs")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("logs");
        var messages = Messages(logs);

        // The sandbox counts as created once its agent is ready.
        var created = Array.FindIndex(messages, m => m.StartsWith("Sandbox created from template base in ", StringComparison.Ordinal));
        Assert.True(created > 0 && messages[created - 1] == "Agent ready", string.Join(" | ", messages));
        Assert.True(
            Array.IndexOf(messages, "Sandbox paused") < Array.FindIndex(messages, m => m.StartsWith("Sandbox resumed", StringComparison.Ordinal)),
            string.Join(" | ", messages));
        Assert.Equal("Sandbox killed: killed by request", messages[^1]);

        var killed = logs[logs.GetArrayLength() - 1];
        Assert.Equal("info", killed.GetProperty("level").GetString());
        Assert.Equal("request", killed.GetProperty("fields").GetProperty("reason").GetString());
        Assert.Equal("paddock", killed.GetProperty("fields").GetProperty("source").GetString());
        var times = logs.EnumerateArray().Select(e => DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order().ToList(), times);

        // Backward from now, one entry: the newest.
        var newest = (await Api.GetAsync($"/v2/sandboxes/{id}/logs?direction=backward&limit=1")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("logs");
        Assert.Equal(["Sandbox killed: killed by request"], Messages(newest));

        // Forward from the kill's millisecond: the kill and nothing before it.
        var cursor = times[^1].ToUnixTimeMilliseconds();
        var fromKill = (await Api.GetAsync($"/v2/sandboxes/{id}/logs?cursor={cursor}")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("logs");
        Assert.Equal("Sandbox killed: killed by request", Messages(fromKill)[^1]);
        Assert.DoesNotContain(Messages(fromKill), m => m.StartsWith("Sandbox created", StringComparison.Ordinal));

        var filtered = (await Api.GetAsync($"/v2/sandboxes/{id}/logs?search=Agent&level=info")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("logs");
        Assert.Equal(["Agent ready"], Messages(filtered));
        var errorsOnly = (await Api.GetAsync($"/v2/sandboxes/{id}/logs?level=error")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("logs");
        Assert.Equal(0, errorsOnly.GetArrayLength());
    }

    [Fact]
    public async Task V1Logs_HaveLinesAndEntries()
    {
        var id = await Api.CreateAsync();
        await Api.DeleteAsync($"/sandboxes/{id}");

        var body = (await Api.GetAsync($"/sandboxes/{id}/logs?limit=2")).AssertStatus(HttpStatusCode.OK).Json;

        var entries = body.GetProperty("logEntries");
        var lines = body.GetProperty("logs");
        Assert.Equal(2, entries.GetArrayLength());
        Assert.Equal(2, lines.GetArrayLength());
        using var line = JsonDocument.Parse(lines[0].GetProperty("line").GetString()!);
        Assert.Equal(entries[0].GetProperty("message").GetString(), line.RootElement.GetProperty("message").GetString());
        Assert.Equal(entries[0].GetProperty("timestamp").GetString(), lines[0].GetProperty("timestamp").GetString());
    }
}
