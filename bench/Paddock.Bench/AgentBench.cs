using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Paddock.Bench;

/// <summary>
/// The agent's figures: command and file round trips through the API port next to the same calls
/// straight to the agent's channel socket; the agent's idle memory; its start-to-ready time next to
/// spawning a process that does nothing.
/// </summary>
internal static class AgentBench
{
    private const int Rounds = 200;
    private const int FileRounds = 50;
    private const int BigFileRounds = 10;

    public static async Task<string> RunAsync(PaddockServer server, string dataDir, string crunRoot, string agentPath)
    {
        var (id, token) = await server.CreateWithTokenAsync();
        await Task.Delay(500);
        var freshRss = await AgentRssAsync(crunRoot, id);
        using var viaApi = AgentClient.ThroughApi(server.Address, id, token);
        using var direct = AgentClient.OverChannel(Path.Combine(dataDir, "sandboxes", id, "agent.sock"), token);
        var rows = new StringBuilder();
        rows.AppendLine("| operation | through the API port p50 | p95 | agent channel p50 | p95 | ratio p50 |");
        rows.AppendLine("|---|---|---|---|---|---|");

        Console.WriteLine($"{Rounds} command round trips each way...");
        rows.AppendLine(await CompareAsync("`/bin/echo hi` (Process.Start to end)", Rounds, async c => Check(await c.RunAsync("/bin/echo", "hi")), viaApi, direct));
        rows.AppendLine(await CompareAsync("`bash -l -c 'echo hi'` (what `commands.run` sends)", Rounds, async c => Check(await c.RunAsync("/bin/bash", "-l", "-c", "echo hi")), viaApi, direct));

        Console.WriteLine("File round trips...");
        var small = new byte[1024];
        var big = new byte[10 * 1024 * 1024];
        Random.Shared.NextBytes(small);
        Random.Shared.NextBytes(big);
        rows.AppendLine(await CompareAsync("write + read 1 KiB (`/files`)", FileRounds, c => RoundTripAsync(c, "/tmp/small.bin", small), viaApi, direct));
        var (bigRow, bigApi) = await CompareWithStatsAsync("write + read 10 MiB (`/files`)", BigFileRounds, c => RoundTripAsync(c, "/tmp/big.bin", big), viaApi, direct);
        rows.AppendLine(bigRow);

        var idleRss = await AgentRssAsync(crunRoot, id);
        await server.KillAsync(id);

        Console.WriteLine("Agent start-to-ready...");
        var (ready, spawn) = await StartToReadyAsync(agentPath);

        var throughput = 2 * 10 / (bigApi.P50 / 1000);
        return $"""
            {rows}
            10 MiB write + read through the API port moves 20 MiB in {bigApi.P50:0.0} ms at p50: {throughput:0} MiB/s.

            **Agent idle RSS** (VmRSS of the agent, the sandbox's init): {freshRss / 1024.0:0.0} MiB once the sandbox is
            created; {idleRss / 1024.0:0.0} MiB idle again after all the round trips above.

            **Agent start to ready** (exec of `paddock-agent` on a fresh channel directory until `GET /health` answers on
            its socket, n=20): p50 {ready.P50:0.0} ms, p95 {ready.P95:0.0} ms; spawning `/bin/true` to its exit, the floor for
            any process start here: p50 {spawn.P50:0.0} ms, p95 {spawn.P95:0.0} ms.
            """;
    }

    private static void Check(string stdout)
    {
        if (stdout != "hi\n")
        {
            throw new InvalidOperationException($"unexpected output: '{stdout}'");
        }
    }

    private static async Task RoundTripAsync(AgentClient client, string path, byte[] content)
    {
        await client.WriteFileAsync(path, content);
        if (await client.ReadFileAsync(path) != content.Length)
        {
            throw new InvalidOperationException($"{path} came back with the wrong length");
        }
    }

    private static async Task<string> CompareAsync(string name, int rounds, Func<AgentClient, Task> work, AgentClient viaApi, AgentClient direct) =>
        (await CompareWithStatsAsync(name, rounds, work, viaApi, direct)).Row;

    private static async Task<(string Row, Stats Api)> CompareWithStatsAsync(string name, int rounds, Func<AgentClient, Task> work, AgentClient viaApi, AgentClient direct)
    {
        var api = new Stats(name);
        var channel = new Stats(name);
        for (var i = 0; i < 5; i++)
        {
            await work(viaApi);
            await work(direct);
        }

        // Interleaved, so both see the same machine.
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            await work(viaApi);
            api.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            await work(direct);
            channel.Add(watch.Elapsed.TotalMilliseconds);
        }

        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {name} (n={rounds}) | {api.P50:0.00} ms | {api.P95:0.00} ms | {channel.P50:0.00} ms | {channel.P95:0.00} ms | {api.P50 / channel.P50:0.00}× |");
        return (row, api);
    }

    private static async Task<long> AgentRssAsync(string crunRoot, string sandboxId)
    {
        using var state = Process.Start(new ProcessStartInfo("crun", ["--root", crunRoot, "state", sandboxId]) { RedirectStandardOutput = true })!;
        var json = await state.StandardOutput.ReadToEndAsync();
        await state.WaitForExitAsync();
        var pid = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("pid").GetInt32();
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static async Task<(Stats Ready, Stats Spawn)> StartToReadyAsync(string agentPath)
    {
        var ready = new Stats("agent start");
        var spawn = new Stats("spawn");
        for (var i = 0; i < 22; i++)
        {
            var channel = Directory.CreateTempSubdirectory("paddock-bench-agent-").FullName;
            var socketPath = Path.Combine(channel, "agent.sock");
            var watch = Stopwatch.StartNew();
            using var agent = Process.Start(new ProcessStartInfo(agentPath, ["--channel", channel, "--port", "0", "--interpreter-port", "0"]) { RedirectStandardError = true })!;
            while (!await HealthyAsync(socketPath))
            {
                if (agent.HasExited || watch.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new InvalidOperationException($"the agent did not start: {await agent.StandardError.ReadToEndAsync()}");
                }
            }

            var elapsed = watch.Elapsed.TotalMilliseconds;
            agent.Kill();
            await agent.WaitForExitAsync();
            Directory.Delete(channel, recursive: true);

            watch.Restart();
            using (var trivial = Process.Start("/bin/true")!)
            {
                await trivial.WaitForExitAsync();
            }

            // The first two runs warm the page cache.
            if (i >= 2)
            {
                ready.Add(elapsed);
                spawn.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return (ready, spawn);
    }

    // One raw HTTP/1.1 request on a new connection: no client pool or retry logic in the measurement.
    private static async Task<bool> HealthyAsync(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            await Task.Delay(1);
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            await socket.SendAsync("GET /health HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.1 204", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
