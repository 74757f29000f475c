using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Paddock.Agent.Tests;

/// <summary>
/// The agent's threads are host tasks every sandbox holds for its whole life: an idle agent keeps only the ones
/// .NET and Kestrel never end, and what a burst of work started goes once it is over.
/// </summary>
public class AgentThreadsTests
{
    // What stays for the agent's life: the main thread, the finalizer, the socket engine's epoll thread, the signal
    // thread (SIGCHLD for the processes it starts), Kestrel's 1 s heartbeat and the thread pool's gate.
    private static readonly string[] s_resident = ["paddock-agent", ".NET Finalizer", ".NET Sockets", ".NET SigHandler", "Kestrel Timer", ".NET TP Gate"];

    // Workers time out after 5 s (the agent's runtime setting), the launcher after 5 s, the timer thread 2 s after the
    // last timer; the idle trimmer's timer runs until 3 s after the last request and one tick more.
    private static readonly TimeSpan s_shedWithin = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task NewAgent_AfterHealthChecks_KeepsOnlyItsResidentThreads()
    {
        await using var agent = await AgentProcess.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            (await agent.Http.GetAsync("/health")).EnsureSuccessStatusCode();
        }

        var threads = await ThreadsOnceSettledAsync(agent.ProcessId);
        Assert.Equal(s_resident.Order(StringComparer.Ordinal), threads.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UsedAgent_ShedsTheThreadsItsWorkStarted_AndNeverStartsTheFrameworksTimerThread()
    {
        await using var agent = await AgentProcess.StartAsync();

        // Commands with a deadline and keepalives: the deadline's timer, the process's end timer, the keepalive waits,
        // the launcher thread, the pool's workers and its wait thread (the process's exit) all come into play.
        var commands = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await agent.Http.SendAsync(Start("/bin/sh", ["-c", "sleep 0.3; echo done"], timeoutMs: 20_000, keepaliveSeconds: 1), HttpCompletionOption.ResponseHeadersRead);
            return await response.Content.ReadAsStringAsync();
        });
        foreach (var body in await Task.WhenAll(commands))
        {
            Assert.Contains("exit status 0", body, StringComparison.Ordinal);
        }

        var busy = Threads(agent.ProcessId);
        Assert.Contains("paddock-launch", busy);
        Assert.DoesNotContain(".NET Timer", busy);

        var threads = await ThreadsOnceSettledAsync(agent.ProcessId);
        Assert.Equal(s_resident.Order(StringComparer.Ordinal), threads.Order(StringComparer.Ordinal));

        // A launcher that has exited is started again for the next command.
        using var again = await agent.Http.SendAsync(Start("/bin/echo", ["again"], timeoutMs: 5_000), HttpCompletionOption.ResponseHeadersRead);
        Assert.Contains("exit status 0", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // The agent's threads once nothing but the resident ones is left, or as they are when the time is up.
    private static async Task<List<string>> ThreadsOnceSettledAsync(int pid)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var threads = Threads(pid);
            if (threads.All(s_resident.Contains) || watch.Elapsed > s_shedWithin)
            {
                return threads;
            }

            await Task.Delay(250);
        }
    }

    private static List<string> Threads(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n')).ToList();

    private static HttpRequestMessage Start(string cmd, string[] args, int timeoutMs, int? keepaliveSeconds = null)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new { process = new { cmd, args } });
        var envelope = new byte[5 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(1), json.Length);
        json.CopyTo(envelope, 5);
        var request = new HttpRequestMessage(HttpMethod.Post, "/process.Process/Start") { Content = new ByteArrayContent(envelope) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");
        request.Headers.Add("Connect-Protocol-Version", "1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("root:"u8.ToArray()));
        request.Headers.Add("Connect-Timeout-Ms", timeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (keepaliveSeconds is { } seconds)
        {
            request.Headers.Add("Keepalive-Ping-Interval", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return request;
    }
}
