using System.Text.Json;
using System.Text.Json.Serialization;

namespace Paddock.Agent;

/// <summary>
/// What the host tells the agent: the sandbox's global environment variables, the access token of a
/// secure sandbox, and the default user. It arrives as <c>init.json</c> from the host at start, and can
/// be changed later with <c>POST /init</c> over the host's channel (never from inside the sandbox).
/// </summary>
internal sealed class AgentState
{
    private readonly Lock _gate = new();
    private Dictionary<string, string> _envVars = new(StringComparer.Ordinal);

    public string? AccessToken { get; private set; }

    public string DefaultUser { get; private set; } = "user";

    public string? DefaultWorkdir { get; private set; }

    /// <summary>How long the agent waits with nothing to do before it sleeps (see Sleep.Sleeper); zero: never.</summary>
    public TimeSpan SleepAfter { get; private set; }

    private long? _logLimitBytes;

    public IReadOnlyDictionary<string, string> EnvVars
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_envVars, StringComparer.Ordinal);
            }
        }
    }

    public void Apply(InitRequest request)
    {
        lock (_gate)
        {
            if (request.EnvVars is not null)
            {
                foreach (var (key, value) in request.EnvVars)
                {
                    _envVars[key] = value;
                }
            }

            if (!string.IsNullOrEmpty(request.AccessToken))
            {
                AccessToken = request.AccessToken;
            }

            if (!string.IsNullOrEmpty(request.DefaultUser))
            {
                DefaultUser = request.DefaultUser;
            }

            if (!string.IsNullOrEmpty(request.DefaultWorkdir))
            {
                DefaultWorkdir = request.DefaultWorkdir;
            }

            if (request.LogLimitBytes is > 0 and var limit)
            {
                _logLimitBytes = limit;
                AgentLog.LimitTo(limit);
            }

            if (request.SleepAfterSeconds is >= 0 and var sleepAfter)
            {
                SleepAfter = TimeSpan.FromSeconds(sleepAfter);
            }
        }
    }

    /// <summary>Applies the host's start settings (<c>init.json</c>), or the state the agent kept across a sleep.</summary>
    public void Load(Stream init) =>
        Apply(JsonSerializer.Deserialize(init, AgentJson.Default.InitRequest) ?? new InitRequest());

    /// <summary>Everything <see cref="Load"/> restores, in <c>init.json</c>'s format: what the agent keeps while it sleeps.</summary>
    public byte[] Save()
    {
        lock (_gate)
        {
            return JsonSerializer.SerializeToUtf8Bytes(
                new InitRequest
                {
                    EnvVars = new Dictionary<string, string>(_envVars, StringComparer.Ordinal),
                    AccessToken = AccessToken,
                    DefaultUser = DefaultUser,
                    DefaultWorkdir = DefaultWorkdir,
                    LogLimitBytes = _logLimitBytes,
                    SleepAfterSeconds = SleepAfter.TotalSeconds,
                },
                AgentJson.Default.InitRequest);
        }
    }
}

/// <summary>envd's <c>POST /init</c> body (the fields Paddock uses).</summary>
internal sealed record InitRequest
{
    [JsonPropertyName("envVars")]
    public Dictionary<string, string>? EnvVars { get; init; }

    [JsonPropertyName("accessToken")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("defaultUser")]
    public string? DefaultUser { get; init; }

    [JsonPropertyName("defaultWorkdir")]
    public string? DefaultWorkdir { get; init; }

    /// <summary>The size limit of the sandbox's log file (Paddock's own field; envd has none).</summary>
    [JsonPropertyName("logLimitBytes")]
    public long? LogLimitBytes { get; init; }

    /// <summary>Seconds of nothing to do before the agent sleeps, 0 for never (Paddock's own field).</summary>
    [JsonPropertyName("sleepAfterSeconds")]
    public double? SleepAfterSeconds { get; init; }
}

/// <summary>envd's error body.</summary>
internal sealed record ErrorBody(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(InitRequest))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Http.MetricsResponse))]
internal sealed partial class AgentJson : JsonSerializerContext;
