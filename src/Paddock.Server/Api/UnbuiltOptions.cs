using System.Text.Json;

namespace Paddock.Server.Api;

/// <summary>
/// Options of E2B's API that promise something this server does not do yet: each is refused with a 400 that
/// names it and says why, never accepted and silently dropped. A caller who asked for private ports must learn
/// that it did not get them. Options that only restrict what a sandbox can
/// already not do (<c>denyOut</c>, no internet) hold trivially and are accepted.
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
                case "allowPublicTraffic" when value.ValueKind == JsonValueKind.False:
                    body.AddError("'network.allowPublicTraffic' false is not supported by this server yet: a sandbox's ports would stay reachable without a traffic access token");
                    break;
                case "allowPublicTraffic" when value.ValueKind is not (JsonValueKind.True or JsonValueKind.Null):
                    body.AddError("'network.allowPublicTraffic' must be a boolean");
                    break;
                case "allowOut" when value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0:
                    body.AddError("'network.allowOut' is not supported by this server yet: sandboxes have no outbound network, so nothing can be allowed");
                    break;
                case "denyOut" or "allowOut" when value.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null):
                    body.AddError($"'network.{field.Name}' must be an array of strings");
                    break;
                case "maskRequestHost" when value.ValueKind != JsonValueKind.Null:
                    body.AddError("'network.maskRequestHost' is not supported by this server yet: requests reach a sandbox's ports with their own Host header");
                    break;
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
