using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Paddock.Bench;

/// <summary>
/// run_code figures: <c>1+1</c> through the API port (proxy, port tunnel, the agent's code interpreter,
/// the kernel) next to a raw Jupyter execute round trip (jupyter_client, inside the sandbox) to the same
/// kernel; and the time from a create request to the first run_code result.
/// </summary>
internal static class InterpreterBench
{
    private const int Rounds = 100;

    // jupyter_client's blocking client on the context's own kernel: execute, then wait for the reply and idle.
    private const string RawJupyter = """
        import glob, json, time
        from jupyter_client import BlockingKernelClient
        client = BlockingKernelClient()
        client.load_connection_file(glob.glob('/tmp/paddock-kernels/kernel-*.json')[0])
        client.start_channels()
        client.wait_for_ready(timeout=30)
        times = []
        for i in range(ROUNDS + 5):
            start = time.perf_counter()
            msg_id = client.execute('1+1')
            while True:
                msg = client.get_iopub_msg(timeout=10)
                if msg['parent_header'].get('msg_id') == msg_id and msg['msg_type'] == 'status' and msg['content']['execution_state'] == 'idle':
                    break
            client.get_shell_msg(timeout=10)
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps(times[5:]))
        """;

    public static async Task<string> RunAsync(PaddockServer server, string dataDir)
    {
        Console.WriteLine("Create to the first run_code result...");
        var firstResult = new Stats("create to first result");
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            var (created, createdToken) = await server.CreateWithTokenAsync();
            using var client = Interpreter(server.Address, created, createdToken);
            await RunCodeAsync(client, "1+1", "2");
            firstResult.Add(watch.Elapsed.TotalMilliseconds);
            await server.KillAsync(created);
        }

        var (id, token) = await server.CreateWithTokenAsync();
        using var interpreter = Interpreter(server.Address, id, token);
        using var agent = AgentClient.OverChannel(Path.Combine(dataDir, "sandboxes", id, "agent.sock"), token);
        for (var i = 0; i < 5; i++)
        {
            await RunCodeAsync(interpreter, "1+1", "2");
        }

        Console.WriteLine($"{Rounds} run_code round trips, then {Rounds} raw Jupyter ones...");
        var api = new Stats("run_code");
        for (var i = 0; i < Rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            await RunCodeAsync(interpreter, "1+1", "2");
            api.Add(watch.Elapsed.TotalMilliseconds);
        }

        var raw = new Stats("raw");
        var output = await agent.RunAsync("/usr/bin/python3", "-c", RawJupyter.Replace("ROUNDS", Rounds.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        foreach (var ms in JsonSerializer.Deserialize<double[]>(output)!)
        {
            raw.Add(ms);
        }

        await server.KillAsync(id);
        return string.Create(CultureInfo.InvariantCulture, $"""
            | operation | Paddock p50 | Paddock p95 | raw Jupyter p50 | raw Jupyter p95 | ratio p50 |
            |---|---|---|---|---|---|
            | `run_code("1+1")` (n={Rounds}) | {api.P50:0.00} ms | {api.P95:0.00} ms | {raw.P50:0.00} ms | {raw.P95:0.00} ms | {api.P50 / raw.P50:0.00}× |

            **Create to the first run_code result** (`POST /v2/sandboxes`, then `POST /execute` of `1+1`, which starts
            the Python kernel; n={firstResult.Count}): p50 {firstResult.P50:0} ms, p95 {firstResult.P95:0} ms.
            """);
    }

    // As E2B's code-interpreter SDK sends /execute: a secure sandbox's interpreter wants its access token.
    private static HttpClient Interpreter(Uri apiAddress, string sandboxId, string token)
    {
        var http = new HttpClient { BaseAddress = apiAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("E2b-Sandbox-Id", sandboxId);
        http.DefaultRequestHeaders.Add("E2b-Sandbox-Port", "49999");
        http.DefaultRequestHeaders.Add("X-Access-Token", token);
        return http;
    }

    private static async Task RunCodeAsync(HttpClient client, string code, string expected)
    {
        using var response = await client.PostAsJsonAsync("/execute", new { code });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        if (!body.Contains($"\"text\":\"{expected}\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected run_code output: {body}");
        }
    }
}
