using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Paddock.Client;
using Paddock.Hosted;

// Settings come from the "Paddock" section (appsettings.json, or Paddock__ApiUrl / Paddock__ApiKey in the
// environment); what it leaves unset falls back to PADDOCK_API_URL / PADDOCK_API_KEY.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPaddock(builder.Configuration.GetSection("Paddock"));
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddSource(ClientTelemetry.Name).AddConsoleExporter())
    .WithMetrics(metrics => metrics.AddMeter(ClientTelemetry.Name).AddConsoleExporter());
builder.Services.AddHostedService<SandboxJob>();
await builder.Build().RunAsync();
