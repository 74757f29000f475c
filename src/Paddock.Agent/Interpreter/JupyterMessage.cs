using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// A message of the Jupyter messaging protocol (v5.3) and its wire form: any routing frames, the
/// <c>&lt;IDS|MSG&gt;</c> delimiter, the HMAC-SHA256 signature (hex) of the four JSON parts, then header,
/// parent header, metadata and content.
/// </summary>
internal sealed record JupyterMessage(JsonObject Header, JsonObject ParentHeader, JsonObject Metadata, JsonObject Content)
{
    private static readonly byte[] s_delimiter = "<IDS|MSG>"u8.ToArray();

    // A message larger than this (a cell printing hundreds of megabytes at once) is not parsed: the agent
    // would hold several copies of it. Its place in the execution is kept, with a note of what was dropped.
    private const int MaxContentBytes = 8 * 1024 * 1024;

    public string Type => Header["msg_type"]?.GetValue<string>() ?? string.Empty;

    public string? ParentId => ParentHeader["msg_id"]?.GetValue<string>();

    public static JupyterMessage Create(string type, string session, JsonObject content) => new(
        new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString("N"),
            ["session"] = session,
            ["username"] = "paddock",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            ["msg_type"] = type,
            ["version"] = "5.3",
        },
        [],
        [],
        content);

    public string Id => Header["msg_id"]!.GetValue<string>();

    public byte[][] Encode(byte[] key)
    {
        var parts = new[] { Header, ParentHeader, Metadata, Content }.Select(p => Encoding.UTF8.GetBytes(p.ToJsonString())).ToArray();
        return [s_delimiter, Encoding.ASCII.GetBytes(Sign(key, parts)), .. parts];
    }

    /// <summary>Parses the frames of a message; null when it is malformed or its signature is wrong.</summary>
    public static JupyterMessage? Decode(IReadOnlyList<byte[]> frames, byte[] key)
    {
        var delimiter = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].AsSpan().SequenceEqual(s_delimiter))
            {
                delimiter = i;
                break;
            }
        }

        if (delimiter < 0 || frames.Count < delimiter + 6)
        {
            return null;
        }

        var parts = frames.Skip(delimiter + 2).Take(4).ToArray();
        var signature = Encoding.ASCII.GetString(frames[delimiter + 1]);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(key, parts)), Encoding.ASCII.GetBytes(signature)))
        {
            return null;
        }

        JsonObject Parse(byte[] part) => JsonNode.Parse(part) as JsonObject ?? [];
        var header = Parse(parts[0]);
        var content = parts[3].Length <= MaxContentBytes ? Parse(parts[3]) : Dropped(header, parts[3]);
        return new JupyterMessage(header, Parse(parts[1]), Parse(parts[2]), content);
    }

    private static JsonObject Dropped(JsonObject header, byte[] content)
    {
        var note = $"[{content.Length.ToString(CultureInfo.InvariantCulture)} bytes of output were dropped: one message may be at most {MaxContentBytes / (1024 * 1024)} MiB]\n";
        return header["msg_type"]?.GetValue<string>() == "stream"
            ? new JsonObject { ["name"] = content.AsSpan(0, Math.Min(64, content.Length)).IndexOf("\"stderr\""u8) >= 0 ? "stderr" : "stdout", ["text"] = note }
            : new JsonObject { ["data"] = new JsonObject { ["text/plain"] = note }, ["metadata"] = new JsonObject() };
    }

    private static string Sign(byte[] key, byte[][] parts)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        foreach (var part in parts)
        {
            hmac.AppendData(part);
        }

        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }
}
