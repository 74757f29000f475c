using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Paddock.Client;

/// <summary>
/// The SDK's traces and metrics, under the name <see cref="Name"/> (<c>Paddock.Client</c>): add it to OpenTelemetry's
/// tracer and meter providers (<c>AddSource("Paddock.Client")</c>, <c>AddMeter("Paddock.Client")</c>) to see every
/// API request, sandbox creation, command and code execution as a span, and their durations as histograms.
/// </summary>
public static class ClientTelemetry
{
    /// <summary>The name of the SDK's <see cref="ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "Paddock.Client";

    internal static readonly string Version = typeof(ClientTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    internal static readonly ActivitySource Source = new(Name, Version);

    private static readonly Meter s_meter = new(Name, Version);

    /// <summary>Seconds each API request took, by operation and HTTP status.</summary>
    internal static readonly Histogram<double> RequestDuration = s_meter.CreateHistogram<double>(
        "paddock.client.request.duration", unit: "s", description: "Duration of Paddock API requests");

    /// <summary>Seconds each command (<c>Commands.RunAsync</c>) and code execution (<c>RunCodeAsync</c>) took, by kind and outcome.</summary>
    internal static readonly Histogram<double> RunDuration = s_meter.CreateHistogram<double>(
        "paddock.client.run.duration", unit: "s", description: "Duration of commands and code executions in sandboxes");

    /// <summary>API requests that were retried after a transient failure.</summary>
    internal static readonly Counter<long> Retries = s_meter.CreateCounter<long>(
        "paddock.client.request.retries", description: "API requests retried after a transient failure");

    /// <summary>Records an operation's outcome on its span: the error type when it failed.</summary>
    internal static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }
}
