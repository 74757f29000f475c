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
using Paddock.Agent.Tunnel;

// Paddock's in-sandbox agent: envd's HTTP endpoints on the host channel (agent.sock) and on
// 127.0.0.1:49983 inside the sandbox, the code interpreter on 127.0.0.1:49999, and a tunnel to any
// port of the sandbox (tunnel.sock). In a sandbox the host hands it both channel listeners and its
// settings as descriptors (see AgentOptions).
// Kestrel runs without the generic host: see AgentApplication for why.
var options = AgentOptions.Parse(args);
var state = new AgentState();

var kestrelOptions = new KestrelServerOptions { AddServerHeader = false };
// Uploads stream to disk, so their size is bounded by the sandbox's disk quota, not by a request limit.
kestrelOptions.Limits.MaxRequestBodySize = null;
PortTunnel tunnel;
if (options.HostFds)
{
    // Nothing the agent starts may inherit the host's listeners (a process that could accept on them could
    // answer for the agent) or its settings (the access token).
    foreach (var fd in new[] { AgentOptions.AgentListenerFd, AgentOptions.TunnelListenerFd, AgentOptions.InitFd })
    {
        Paddock.Agent.Process.Native.SetCloseOnExec(fd);
    }

    using (var init = new FileStream(new SafeFileHandle(AgentOptions.InitFd, ownsHandle: true), FileAccess.Read))
    {
        state.Load(init);
    }

    tunnel = PortTunnel.Adopt(AgentOptions.TunnelListenerFd);
    SharedMemoryDirectory.Create();
}
else
{
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

    tunnel = PortTunnel.Listen(options.TunnelSocket);
}

// The host counts the sandbox ready once agent.sock answers /health, and sends traffic for every port right after:
// Kestrel binds in this order, so the code interpreter's port listens first and the host's channel last.
kestrelOptions.Listen(IPAddress.Loopback, options.InterpreterPort);
kestrelOptions.Listen(IPAddress.Loopback, options.Port);
if (options.HostFds)
{
    kestrelOptions.ListenHandle(AgentOptions.AgentListenerFd);
}
else
{
    kestrelOptions.ListenUnixSocket(options.AgentSocket);
}

var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance);
using var server = new KestrelServer(Options.Create(kestrelOptions), transport, NullLoggerFactory.Instance);

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
await server.StartAsync(
    new ApplicationsByPort(options.InterpreterPort, new Paddock.Agent.Interpreter.InterpreterApplication(state), new AgentApplication(state)),
    CancellationToken.None);
AgentLog.Info("Agent ready", ("port", options.Port.ToString(CultureInfo.InvariantCulture)), ("interpreterPort", options.InterpreterPort.ToString(CultureInfo.InvariantCulture)));
await tunnel.RunAsync(stopping.Token);
await server.StopAsync(CancellationToken.None);
