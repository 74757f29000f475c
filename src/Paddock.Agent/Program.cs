using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Paddock.Agent;
using Paddock.Agent.Http;
using Paddock.Agent.Tunnel;

// Paddock's in-sandbox agent: envd's HTTP endpoints on the host channel (agent.sock) and on
// 127.0.0.1:49983 inside the sandbox, the code interpreter on 127.0.0.1:49999, and a tunnel to any
// port of the sandbox (tunnel.sock).
// Kestrel runs without the generic host: see AgentApplication for why.
var options = AgentOptions.Parse(args);
Directory.CreateDirectory(options.ChannelDir);
if (File.Exists(options.AgentSocket))
{
    File.Delete(options.AgentSocket);
}

var state = new AgentState();
state.LoadFile(options.InitFile);

var kestrelOptions = new KestrelServerOptions { AddServerHeader = false };
// Uploads stream to disk, so their size is bounded by the sandbox's disk, not by a request limit.
kestrelOptions.Limits.MaxRequestBodySize = null;
kestrelOptions.ListenUnixSocket(options.AgentSocket);
kestrelOptions.Listen(IPAddress.Loopback, options.Port);
var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance);
using var server = new KestrelServer(Options.Create(kestrelOptions), transport, NullLoggerFactory.Instance);

var interpreterOptions = new KestrelServerOptions { AddServerHeader = false };
interpreterOptions.Listen(IPAddress.Loopback, options.InterpreterPort);
using var interpreter = new KestrelServer(Options.Create(interpreterOptions), transport, NullLoggerFactory.Instance);

using var stopping = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

// The host counts the sandbox ready once agent.sock answers /health, and sends traffic for every port
// right after: so the code interpreter's port and the tunnel listen first, and agent.sock last.
await interpreter.StartAsync(new Paddock.Agent.Interpreter.InterpreterApplication(state), CancellationToken.None);
using var tunnel = PortTunnel.Listen(options.TunnelSocket);
await server.StartAsync(new AgentApplication(state), CancellationToken.None);
AgentLog.Info("Agent ready", ("port", options.Port.ToString(CultureInfo.InvariantCulture)), ("interpreterPort", options.InterpreterPort.ToString(CultureInfo.InvariantCulture)));
await tunnel.RunAsync(stopping.Token);
await interpreter.StopAsync(CancellationToken.None);
await server.StopAsync(CancellationToken.None);
