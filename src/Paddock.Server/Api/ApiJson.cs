using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api;

[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(SandboxResponse))]
[JsonSerializable(typeof(SandboxDetail))]
[JsonSerializable(typeof(List<ListedSandbox>))]
[JsonSerializable(typeof(List<SandboxMetric>))]
[JsonSerializable(typeof(List<TemplateResponse>))]
[JsonSerializable(typeof(TemplateAliasResponse))]
[JsonSerializable(typeof(SandboxLogsV2Response))]
[JsonSerializable(typeof(SandboxLogsV1Response))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SnapshotResponse))]
[JsonSerializable(typeof(List<SnapshotResponse>))]
[JsonSerializable(typeof(List<ForkEntry>))]
internal sealed partial class ApiJson : JsonSerializerContext
{
    /// <summary>The API's serializer: quotes and apostrophes in messages stay readable (JSON, not HTML, is served).</summary>
    public static ApiJson Wire { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
