using System.Text.Json;

namespace Paddock.Server.Api;

/// <summary>
/// Options of E2B's API that promise something this server does not do yet: each is refused with a 400 that
/// names it and says why, never accepted and silently dropped. A caller who asked for header transforms or a
/// filesystem-only pause must learn that it did not get one. Options that only restrict what a sandbox can
/// already not do hold trivially and are accepted.
/// </summary>
internal static class UnbuiltOptions
{
    /// <summary>Refuses a create body's <c>network</c> settings and lifecycle options that would not be kept.</summary>
    public static void CheckCreate(RequestBody body, bool? autoPause, bool? autoResume)
    {
        if (body.Bool("autoPauseMemory") == false)
        {
            body.AddError(autoPause == true
                ? "'autoPauseMemory' false (a filesystem-only auto-pause) is not supported by this server yet; a paused sandbox keeps its memory"
                : "autoPauseMemory=false only applies when autoPause is true.");
        }

        if (autoResume == true)
        {
            body.AddError("'autoResume' is not supported by this server yet: traffic to a paused sandbox does not resume it; resume it with connect");
        }

        if (body.Object("network") is not { } network)
        {
            return;
        }

        foreach (var field in network.EnumerateObject())
        {
            var value = field.Value;
            switch (field.Name)
            {
                case "rules" when value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any():
                    body.AddError("'network.rules' (egress header transforms) is not supported by this server yet");
                    break;
                case "egressProxy" when value.ValueKind != JsonValueKind.Null:
                    body.AddError("'network.egressProxy' is not supported by this server yet");
                    break;
            }
        }
    }

    /// <summary>Refuses <c>memory: false</c> on pause (a filesystem-only pause) or on connect/resume (a cold boot).</summary>
    public static void CheckMemory(RequestBody body, string operation)
    {
        if (body.Bool("memory") == false)
        {
            body.AddError(operation == "pause"
                ? "'memory' false (a filesystem-only pause) is not supported by this server yet; pause keeps the sandbox's memory"
                : $"'memory' false (a cold boot on {operation}) is not supported by this server yet; a paused sandbox resumes with its memory");
        }
    }
}
