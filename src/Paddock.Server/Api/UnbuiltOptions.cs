using System.Text.Json;

namespace Paddock.Server.Api;

/// <summary>
/// Options of E2B's API that promise something this server does not do yet: each is refused with a 400 that
/// names it and says why, never accepted and silently dropped. A caller who asked for header transforms or an
/// egress proxy must learn that it did not get them.
/// </summary>
internal static class UnbuiltOptions
{
    /// <summary>Refuses a create body's <c>network</c> settings that would not be kept.</summary>
    public static void CheckCreate(RequestBody body)
    {
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
}
