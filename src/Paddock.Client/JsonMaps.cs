using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>String maps (metadata, env vars) as the JSON objects the wire protocols carry.</summary>
internal static class JsonMaps
{
    public static JsonObject From(IReadOnlyDictionary<string, string>? values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values ?? new Dictionary<string, string>())
        {
            json[key] = value;
        }

        return json;
    }
}
