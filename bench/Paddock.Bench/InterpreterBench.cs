using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Paddock.Bench;

/// <summary>
/// run_code figures per language: a cell through the API port (proxy, port tunnel, the agent's code
/// interpreter, the kernel) next to a raw Jupyter execute round trip (jupyter_client, inside the sandbox) to
/// the same kernel; and a language's first execution on a new sandbox (which starts its kernel) next to the
/// same kernel started by hand with the same command, environment and directory, and sent the same cell.
/// </summary>
internal static class InterpreterBench
{
    private const int Rounds = 50;
    private const int FirstRounds = 5;

    // Each language's trivial cell, the text its answer holds, the template that has its kernel, and what marks
    // its kernel's command line (ipykernel rewrites its connection file without the kernel's name).
    private static readonly (string Language, string Marker, string Code, string Expected, string Template)[] s_languages =
    [
        ("python", "ipykernel_launcher", "1+1", "\"text\":\"2\"", "base"),
        ("javascript", "paddock_kernels javascript", "1+1", "\"text\":\"2\"", "base"),
        ("typescript", "paddock_kernels typescript", "1+1", "\"text\":\"2\"", "base"),
        ("bash", "paddock_kernels bash", "echo 2", "\"text\":\"2\\n\"", "base"),
        ("r", "IRkernel::main()", "1+1", "\"text\":\"[1] 2\"", "base"),
        ("java", "paddock_kernels java", "1+1", "\"text\":\"2\"", "code-interpreter-full"),
    ];

    // Finds the agent's kernel whose command line holds the marker's words in a row: its pid, command line and
    // connection file.
    private const string FindKernel = """
        import json, os, sys, time
        def argv_of(pid):
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as f:
                    return f.read().rstrip(b'\0').decode(errors='replace').split('\0')
            except OSError:
                return []
        def kernels():
            for pid in filter(str.isdigit, os.listdir('/proc')):
                argv = argv_of(pid)
                files = [a for a in argv if a.startswith('/tmp/paddock-kernels/kernel-')]
                if files:
                    yield pid, argv, files[0]
        def find(marker):
            words = marker.split(' ')
            return next(k for k in kernels() if any(k[1][i:i + len(words)] == words for i in range(len(k[1]))))
        """;

    // jupyter_client's blocking client on the context's own kernel (found by its connection file's kernel name):
    // execute, then wait for the reply and the idle status.
    private const string RawRoundTrips = FindKernel + "\n" + """
        from jupyter_client import BlockingKernelClient
        marker, code, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
        client = BlockingKernelClient()
        client.load_connection_file(find(marker)[2])
        client.start_channels()
        client.wait_for_ready(timeout=60)
        def run():
            msg_id = client.execute(code)
            while True:
                msg = client.get_iopub_msg(timeout=30)
                if msg['parent_header'].get('msg_id') == msg_id and msg['msg_type'] == 'status' and msg['content']['execution_state'] == 'idle':
                    break
            while client.get_shell_msg(timeout=30)['parent_header'].get('msg_id') != msg_id:
                pass
        times = []
        for i in range(rounds + 5):
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps(times[5:]))
        """;

    // The same kernel started by hand: the running kernel's command line, environment and directory (from
    // /proc), a connection file of its own, then ready (kernel_info answered) and the first cell run.
    private const string RawFirstExecutions = FindKernel + "\n" + """
        import queue, subprocess
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file
        marker, code, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
        pid, argv, connection = find(marker)
        with open('/proc/%s/environ' % pid, 'rb') as f:
            env = dict(e.split('=', 1) for e in f.read().rstrip(b'\0').decode(errors='replace').split('\0') if '=' in e)
        cwd = os.readlink('/proc/%s/cwd' % pid)
        def idle(client, msg_id, deadline):
            while True:
                msg = client.get_iopub_msg(timeout=max(0.001, deadline - time.monotonic()))
                if msg['parent_header'].get('msg_id') == msg_id and msg['msg_type'] == 'status' and msg['content']['execution_state'] == 'idle':
                    return
        def ready(client):
            msg_id = client.kernel_info()
            deadline = time.monotonic() + 0.5
            try:
                while client.get_shell_msg(timeout=max(0.001, deadline - time.monotonic()))['parent_header'].get('msg_id') != msg_id:
                    pass
                idle(client, msg_id, min(deadline, time.monotonic() + 0.05))
                return True
            except queue.Empty:
                return False
        times = []
        for i in range(rounds):
            own, _ = write_connection_file(fname='/tmp/paddock-bench-kernel-%d.json' % i)
            start = time.perf_counter()
            kernel = subprocess.Popen([own if a == connection else a for a in argv], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            client = BlockingKernelClient()
            client.load_connection_file(own)
            client.start_channels()
            # Ready as the agent counts it (jupyter_client's wait_for_ready adds fixed waits of its own): a
            # kernel_info reply and its idle status, asked again after 0.5 s, or 50 ms after a reply without one.
            if not any(ready(client) for _ in range(240)):
                raise SystemExit('the kernel did not answer within 2 minutes')
            msg_id = client.execute(code)
            while True:
                msg = client.get_iopub_msg(timeout=60)
                if msg['parent_header'].get('msg_id') == msg_id and msg['msg_type'] == 'status' and msg['content']['execution_state'] == 'idle':
                    break
            times.append((time.perf_counter() - start) * 1000)
            client.stop_channels()
            os.killpg(kernel.pid, 9)
            kernel.wait()
            os.remove(own)
        print(json.dumps(times))
        """;

    // The resident memory of each kernel the agent started, with its children (the wrapper kernels' runners).
    private const string KernelMemory = FindKernel + "\n" + """
        def rss(pid):
            try:
                with open('/proc/%s/status' % pid) as f:
                    return next(int(l.split()[1]) for l in f if l.startswith('VmRSS:'))
            except (OSError, StopIteration):
                return 0
        def children(pid):
            try:
                with open('/proc/%s/task/%s/children' % (pid, pid)) as f:
                    return f.read().split()
            except OSError:
                return []
        pid = find(sys.argv[1])[0]
        print('%d MiB' % ((rss(pid) + sum(rss(c) for c in children(pid))) // 1024))
        """;

    public static async Task<string> RunAsync(PaddockServer server, string dataDir)
    {
        var rows = new StringBuilder();
        var firstRows = new StringBuilder();
        var memory = new StringBuilder();
        foreach (var template in s_languages.Select(l => l.Template).Distinct())
        {
            var languages = s_languages.Where(l => l.Template == template).ToList();
            Console.WriteLine($"First executions on new {template} sandboxes...");
            var first = languages.ToDictionary(l => l.Language, l => new Stats("first " + l.Language));
            for (var i = 0; i < FirstRounds; i++)
            {
                foreach (var (language, _, code, expected, _) in languages)
                {
                    var (created, createdToken) = await server.CreateWithTokenAsync(template);
                    using var client = Interpreter(server.Address, created, createdToken);
                    var watch = Stopwatch.StartNew();
                    await RunCodeAsync(client, language, code, expected);
                    first[language].Add(watch.Elapsed.TotalMilliseconds);
                    await server.KillAsync(created);
                }
            }

            var (id, token) = await server.CreateWithTokenAsync(template);
            using var interpreter = Interpreter(server.Address, id, token);
            using var agent = AgentClient.OverChannel(Path.Combine(dataDir, "sandboxes", id, "agent.sock"), token);
            foreach (var (language, marker, code, expected, _) in languages)
            {
                Console.WriteLine($"{language}: {Rounds} run_code round trips, then {Rounds} raw Jupyter ones, then {FirstRounds} kernel starts by hand...");
                for (var i = 0; i < 5; i++)
                {
                    await RunCodeAsync(interpreter, language, code, expected);
                }

                var api = new Stats(language);
                for (var i = 0; i < Rounds; i++)
                {
                    var watch = Stopwatch.StartNew();
                    await RunCodeAsync(interpreter, language, code, expected);
                    api.Add(watch.Elapsed.TotalMilliseconds);
                }

                var raw = await RawAsync(agent, RawRoundTrips, marker, code, Rounds);
                var rawFirst = await RawAsync(agent, RawFirstExecutions, marker, code, FirstRounds);

                // What the kernel holds once it has run these cells; then it is stopped, since all of them at once
                // would not fit in one sandbox's default 512 MiB.
                memory.AppendLine(CultureInfo.InvariantCulture, $"| {language} | {(await agent.RunAsync("/usr/bin/python3", "-c", KernelMemory, marker)).Trim()} |");
                await RemoveDefaultContextAsync(interpreter, language);
                var cell = $"`{code}`";
                rows.AppendLine(CultureInfo.InvariantCulture,
                    $"| {language} {cell} (n={api.Count}) | {api.P50:0.00} ms | {api.P95:0.00} ms | {raw.P50:0.00} ms | {raw.P95:0.00} ms | {api.P50 / raw.P50:0.00}× |");
                var paddockFirst = first[language];
                firstRows.AppendLine(CultureInfo.InvariantCulture,
                    $"| {language} (n={paddockFirst.Count}) | {paddockFirst.P50:0} ms | {paddockFirst.P95:0} ms | {rawFirst.P50:0} ms | {rawFirst.P95:0} ms | {paddockFirst.P50 / rawFirst.P50:0.00}× |");
            }

            await server.KillAsync(id);
        }

        return string.Create(CultureInfo.InvariantCulture, $"""
            | cell | Paddock p50 | Paddock p95 | raw Jupyter p50 | raw Jupyter p95 | ratio p50 |
            |---|---|---|---|---|---|
            {rows}
            **First execution per language** (`POST /execute` with only `language` on a new sandbox, which starts
            the language's kernel, to the end of the stream; **by hand**: the same kernel command, environment and
            directory started from inside the sandbox with a connection file of its own, until `kernel_info` is
            answered and the same cell has run, with `jupyter_client`):

            | language | Paddock p50 | Paddock p95 | by hand p50 | by hand p95 | ratio p50 |
            |---|---|---|---|---|---|
            {firstRows}
            **Memory of each kernel** after those cells (VmRSS of the kernel process and its children: the
            wrapper kernels' Node.js, bash and JVM). This is what a context costs once used; the default contexts
            start their kernels only then, so a new sandbox holds none:

            | language | RSS |
            |---|---|
            {memory}
            """);
    }

    private static async Task RemoveDefaultContextAsync(HttpClient interpreter, string language)
    {
        using var contexts = JsonDocument.Parse(await interpreter.GetStringAsync("/contexts"));
        foreach (var context in contexts.RootElement.EnumerateArray().Where(c => c.GetProperty("language").GetString() == language))
        {
            using var removed = await interpreter.DeleteAsync($"/contexts/{context.GetProperty("id").GetString()}");
            removed.EnsureSuccessStatusCode();
        }
    }

    private static async Task<Stats> RawAsync(AgentClient agent, string script, string marker, string code, int rounds)
    {
        var stats = new Stats("raw");
        var output = await agent.RunAsync("/usr/bin/python3", "-c", script, marker, code, rounds.ToString(CultureInfo.InvariantCulture));
        foreach (var ms in JsonSerializer.Deserialize<double[]>(output)!)
        {
            stats.Add(ms);
        }

        return stats;
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

    private static async Task RunCodeAsync(HttpClient client, string language, string code, string expected)
    {
        using var response = await client.PostAsJsonAsync("/execute", new { code, language });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        if (!body.Contains(expected, StringComparison.Ordinal) || body.Contains("\"type\":\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected run_code output for {language}: {body}");
        }
    }
}
