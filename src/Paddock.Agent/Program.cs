using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Paddock.Agent;
using Paddock.Agent.Http;
using Paddock.Agent.Sleep;
using Paddock.Agent.Tunnel;

// Paddock's in-sandbox agent: envd's HTTP endpoints on the host channel (agent.sock) and on
// 127.0.0.1:49983 inside the sandbox, the code interpreter on 127.0.0.1:49999, and a tunnel to any
// port of the sandbox (tunnel.sock). In a sandbox the host hands it both channel listeners and its
// settings as descriptors (see AgentOptions).
// Kestrel runs without the generic host: see AgentApplication for why.
var options = AgentOptions.Parse(args);
if (options.Asleep is not null || options.Woken is not null)
{
    SleepNative.KeepName();
}

if (options.Asleep is { } asleep)
{
    // Asleep (see Sleeper): nothing else of the agent starts until a connection comes.
    Dormant.Run(asleep);
}

var state = new AgentState();
using var gate = new AcceptGate();

var kestrelOptions = new KestrelServerOptions { AddServerHeader = false };
// Uploads stream to disk, so their size is bounded by the sandbox's disk quota, not by a request limit.
kestrelOptions.Limits.MaxRequestBodySize = null;
PortTunnel tunnel;
int envdListener;
int interpreterListener;
if (options.HostFds)
{
    // Nothing the agent starts may inherit the host's listeners (a process that could accept on them could
    // answer for the agent), its settings (the access token) or its own listeners.
    if (options.Woken is { } woken)
    {
        foreach (var fd in woken.All())
        {
            Paddock.Agent.Process.Native.SetCloseOnExec(fd);
        }

        using (var kept = new FileStream(new SafeFileHandle(woken.State, ownsHandle: true), FileAccess.Read))
        {
            state.Load(kept);
        }

        (envdListener, interpreterListener) = (woken.EnvdListener, woken.InterpreterListener);
    }
    else
    {
        foreach (var fd in new[] { AgentOptions.AgentListenerFd, AgentOptions.TunnelListenerFd, AgentOptions.InitFd })
        {
            Paddock.Agent.Process.Native.SetCloseOnExec(fd);
        }

        using (var init = new FileStream(new SafeFileHandle(AgentOptions.InitFd, ownsHandle: true), FileAccess.Read))
        {
            state.Load(init);
        }

        SharedMemoryDirectory.Create();

        // The agent binds its own ports (rather than Kestrel) so it can keep them open while it sleeps; the code
        // interpreter's first and envd's next, as before: the host counts the sandbox ready once agent.sock answers.
        interpreterListener = LoopbackListener.Open(options.InterpreterPort);
        envdListener = LoopbackListener.Open(options.Port);
    }

    tunnel = PortTunnel.Adopt(AgentOptions.TunnelListenerFd, gate);
    kestrelOptions.ListenHandle((ulong)interpreterListener, l => l.Use(GatedTransport.CountEnds(gate)));
    kestrelOptions.ListenHandle((ulong)envdListener, l => l.Use(GatedTransport.CountEnds(gate)));
    kestrelOptions.ListenHandle(AgentOptions.AgentListenerFd, l => l.Use(GatedTransport.CountEnds(gate)));
}
else
{
    (envdListener, interpreterListener) = (-1, -1);
    Directory.CreateDirectory(options.ChannelDir);
    if (File.Exists(options.AgentSocket))
    {
        File.Delete(options.AgentSocket);
    }

    if (File.Exists(options.InitFile))
    {
        using var init = File.OpenRead(options.InitFile);
        state.Load(init);
    }

    tunnel = PortTunnel.Listen(options.TunnelSocket, gate);

    // The host counts the sandbox ready once agent.sock answers /health, and sends traffic for every port right after:
    // Kestrel binds in this order, so the code interpreter's port listens first and the host's channel last.
    kestrelOptions.Listen(IPAddress.Loopback, options.InterpreterPort, l => l.Use(GatedTransport.CountEnds(gate)));
    kestrelOptions.Listen(IPAddress.Loopback, options.Port, l => l.Use(GatedTransport.CountEnds(gate)));
    kestrelOptions.ListenUnixSocket(options.AgentSocket, l => l.Use(GatedTransport.CountEnds(gate)));
}

var sockets = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance);
using var server = new KestrelServer(Options.Create(kestrelOptions), new GatedTransport(sockets, gate), NullLoggerFactory.Instance);

using var stopping = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

// User processes start from a thread in the sandbox's work cgroups (see ProcessLauncher), made with the first.
IdleTrimmer.Start();

// The tunnel's listener is open already (it is the host's descriptor, or bound above).
using var tunnelOwner = tunnel;
var interpreter = new Paddock.Agent.Interpreter.InterpreterApplication(state);
var agent = new AgentApplication(state);
var sleeper = options.HostFds && state.SleepAfter > TimeSpan.Zero
    ? new Sleeper(gate, state.SleepAfter, () => agent.HoldsState || interpreter.HoldsState, state.Save, envdListener, interpreterListener)
    : null;
var tunnelling = Task.CompletedTask;

// The main thread waits here while the agent serves on the thread pool, because the exec that puts it to sleep has to
// be the main thread's (see Sleeper.Sleep): nothing else in Main awaits.
if (ServeAsync().GetAwaiter().GetResult())
{
    try
    {
        sleeper!.Sleep();
    }
    catch (Exception ex)
    {
        AgentLog.Error("The agent could not sleep; it stays awake", ("error", ex.Message));
        gate.Open();
    }

    EndAsync().GetAwaiter().GetResult();
}

// Serves until SIGTERM (false), or until the agent should sleep (true: the accept gate is shut).
async Task<bool> ServeAsync()
{
    await server.StartAsync(new ApplicationsByPort(options.InterpreterPort, interpreter, agent), CancellationToken.None);
    AgentLog.Info(
        options.Woken is null ? "Agent ready" : "Agent woke",
        ("port", options.Port.ToString(CultureInfo.InvariantCulture)),
        ("interpreterPort", options.InterpreterPort.ToString(CultureInfo.InvariantCulture)));
    tunnelling = tunnel.RunAsync(stopping.Token);
    if (sleeper is not null && await sleeper.WaitForSleepAsync(stopping.Token))
    {
        return true;
    }

    await EndAsync();
    return false;
}

async Task EndAsync()
{
    await tunnelling;
    await server.StopAsync(CancellationToken.None);
}
