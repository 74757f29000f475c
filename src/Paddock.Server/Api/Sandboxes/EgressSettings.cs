using System.Text.Json;
using Paddock.Core.Network;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// E2B's outbound settings as the API takes them: on create <c>allow_internet_access</c> and
/// <c>network.allowOut</c> / <c>network.denyOut</c>; on <c>PUT /sandboxes/{id}/network</c> the same fields at
/// the top level. Every bad entry is named in the one 400, in E2B's words.
/// </summary>
internal static class EgressSettings
{
    public static EgressRules ReadCreate(RequestBody body)
    {
        var internet = body.Bool("allow_internet_access");
        var network = body.Object("network");
        return Read(body, internet, network, "network.");
    }

    public static EgressRules ReadUpdate(RequestBody body)
    {
        var internet = body.Bool("allow_internet_access");
        if (body.Root is { } root)
        {
            foreach (var (field, what) in new[] { ("rules", "egress header transforms"), ("egressProxy", "an egress proxy") })
            {
                if (root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
                    && !(value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any()))
                {
                    body.AddError($"'{field}' ({what}) is not supported by this server");
                }
            }
        }

        return Read(body, internet, body.Root, string.Empty);
    }

    private static EgressRules Read(RequestBody body, bool? internet, JsonElement? container, string prefix)
    {
        var rules = new EgressRules
        {
            AllowInternetAccess = internet,
            AllowOut = Strings(body, container, "allowOut", prefix),
            DenyOut = Strings(body, container, "denyOut", prefix),
        };
        foreach (var error in rules.Validate())
        {
            body.AddError(error);
        }

        return rules;
    }

    private static List<string> Strings(RequestBody body, JsonElement? container, string field, string prefix)
    {
        if (container is not { } value || !value.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            body.AddError($"'{prefix}{field}' must be an array of strings");
            return [];
        }

        if (list.GetArrayLength() > InputLimits.MaxEgressRules)
        {
            body.AddError($"'{prefix}{field}' holds {list.GetArrayLength()} entries; at most {InputLimits.MaxEgressRules} are allowed");
            return [];
        }

        return [.. list.EnumerateArray().Select(e => e.GetString()!.Trim())];
    }
}
