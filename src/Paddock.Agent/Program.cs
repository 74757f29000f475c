using Paddock.Agent;
using Paddock.Agent.Http;
using Paddock.Agent.Tunnel;

// Paddock's in-sandbox agent: envd's HTTP endpoints on the host channel (agent.sock) and on
// 127.0.0.1:49983 inside the sandbox, and a tunnel to any port of the sandbox (tunnel.sock).
var options = AgentOptions.Parse(args);
Directory.CreateDirectory(options.ChannelDir);
if (File.Exists(options.AgentSocket))
{
    File.Delete(options.AgentSocket);
}

var state = new AgentState();
state.LoadFile(options.InitFile);

// The content root is the agent's own directory and no configuration file is read: with the
// defaults, hosting would watch the working directory (a user's home, or /) for appsettings changes.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    ContentRootPath = AppContext.BaseDirectory,
    EnvironmentName = "Production",
});
builder.Configuration.Sources.Clear();
// No logging providers: building the console logger alone costs about 11 ms of start-up, and the
// agent's start is on every sandbox create. Fatal errors still reach stderr (the sandbox's init.log).
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ListenUnixSocket(options.AgentSocket);
    kestrel.Listen(System.Net.IPAddress.Loopback, options.Port);
    kestrel.AddServerHeader = false;
});
builder.Services.AddSingleton(state);
builder.Services.AddSingleton(options);
builder.Services.AddHostedService(sp => new PortTunnel(options.TunnelSocket, sp.GetRequiredService<ILogger<PortTunnel>>()));

var app = builder.Build();
app.UseMiddleware<AccessTokenMiddleware>();
app.MapEnvd();
await app.RunAsync();
