using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Connect;

/// <summary>
/// The Connect protocol with the JSON codec, as E2B's SDKs speak it: unary calls are a JSON body
/// answered by 200 and JSON (or an error status with <c>{"code","message"}</c>); server-streaming calls
/// send one envelope (flag byte, 4-byte big-endian length, JSON) and get envelopes back, closed by an
/// end-stream envelope (flag 0x02) carrying <c>{}</c> or <c>{"error":{…}}</c>.
/// </summary>
internal static class ConnectProtocol
{
    public const string UnaryContentType = "application/json";
    public const string StreamContentType = "application/connect+json";
    private const byte EndStreamFlag = 0x02;

    public static bool IsStreaming(HttpRequest request) =>
        request.ContentType?.StartsWith(StreamContentType, StringComparison.OrdinalIgnoreCase) == true;

    public static async Task<JsonObject> ReadUnaryAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return node as JsonObject ?? [];
        }
        catch (JsonException ex)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"invalid JSON request: {ex.Message}");
        }
    }

    public static async Task<JsonObject> ReadEnvelopeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        await request.Body.ReadExactlyAsync(header, cancellationToken);
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length is < 0 or > 16 * 1024 * 1024)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, "invalid envelope length");
        }

        var body = new byte[length];
        await request.Body.ReadExactlyAsync(body, cancellationToken);
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? [];
        }
        catch (JsonException ex)
        {
            throw new ConnectException(ConnectCode.InvalidArgument, $"invalid JSON request: {ex.Message}");
        }
    }

    public static async Task WriteUnaryAsync(HttpResponse response, JsonNode message, CancellationToken cancellationToken)
    {
        response.StatusCode = 200;
        response.ContentType = UnaryContentType;
        await response.WriteAsync(message.ToJsonString(), cancellationToken);
    }

    public static async Task WriteUnaryErrorAsync(HttpResponse response, ConnectException error)
    {
        response.StatusCode = ConnectCode.HttpStatusOf(error.Code);
        response.ContentType = UnaryContentType;
        await response.WriteAsync(new JsonObject { ["code"] = error.Code, ["message"] = error.Message }.ToJsonString());
    }

    public static void StartStream(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = StreamContentType;
    }

    public static Task WriteEnvelopeAsync(HttpResponse response, JsonNode message, CancellationToken cancellationToken) =>
        WriteFrameAsync(response, 0, message, cancellationToken);

    public static Task EndStreamAsync(HttpResponse response, ConnectException? error) =>
        WriteFrameAsync(
            response,
            EndStreamFlag,
            error is null ? new JsonObject() : new JsonObject { ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message } },
            CancellationToken.None);

    private static async Task WriteFrameAsync(HttpResponse response, byte flags, JsonNode message, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, ConnectJson.Default.JsonNode);
        var frame = new byte[5 + json.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), json.Length);
        json.CopyTo(frame, 5);
        await response.Body.WriteAsync(frame, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class ConnectJson : System.Text.Json.Serialization.JsonSerializerContext;
