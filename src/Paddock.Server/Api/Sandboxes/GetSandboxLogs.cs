using System.Globalization;
using System.Text.Json;
using Paddock.Core.Errors;
using Paddock.Core.Logs;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// A sandbox's log: <c>GET /v2/sandboxes/{id}/logs?cursor=&amp;limit=&amp;direction=&amp;level=&amp;search=</c>
/// (cursor in unix milliseconds) and the deprecated <c>GET /sandboxes/{id}/logs?start=&amp;limit=</c>.
/// Killed sandboxes keep their logs.
/// </summary>
internal static class GetSandboxLogs
{
    // E2B's limits on a log query.
    private const int MaxLimit = 1000;
    private const int MaxSearchLength = 256;

    public static async Task<IResult> V2Async(string sandboxId, HttpRequest request, SandboxLogReader logs, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var query = ParseV2(request.Query);
        var entries = await logs.ReadAsync(id, query, cancellationToken);
        return Results.Json(new SandboxLogsV2Response(entries.Select(ToWire).ToList()), ApiJson.Wire.SandboxLogsV2Response);
    }

    public static async Task<IResult> V1Async(string sandboxId, HttpRequest request, SandboxLogReader logs, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var errors = new List<string>();
        var query = new SandboxLogQuery
        {
            Cursor = Milliseconds(request.Query, "start", errors),
            Limit = Limit(request.Query, errors),
        };
        ThrowIfAny(errors);

        var entries = (await logs.ReadAsync(id, query, cancellationToken)).Select(ToWire).ToList();
        var lines = entries.Select(e => new SandboxLogLine(e.Timestamp, Line(e))).ToList();
        return Results.Json(new SandboxLogsV1Response(lines, entries), ApiJson.Wire.SandboxLogsV1Response);
    }

    private static SandboxLogQuery ParseV2(IQueryCollection raw)
    {
        var errors = new List<string>();
        var query = new SandboxLogQuery
        {
            Cursor = Milliseconds(raw, "cursor", errors),
            Limit = Limit(raw, errors),
            Search = raw["search"].ToString() is { Length: > 0 } search ? search : null,
        };
        if (query.Search?.Length > MaxSearchLength)
        {
            errors.Add($"search must be at most {MaxSearchLength} characters");
        }

        switch (raw["direction"].ToString())
        {
            case "" or "forward":
                break;
            case "backward":
                query = query with { Backward = true };
                break;
            case var other:
                errors.Add($"direction must be 'forward' or 'backward', got '{other}'");
                break;
        }

        if (raw["level"].ToString() is { Length: > 0 } level)
        {
            if (Enum.TryParse<SandboxLogLevel>(level, ignoreCase: true, out var parsed) && !int.TryParse(level, out _))
            {
                query = query with { MinLevel = parsed };
            }
            else
            {
                errors.Add($"level must be one of debug, info, warn, error, got '{level}'");
            }
        }

        ThrowIfAny(errors);

        // The cursor names a whole millisecond; looking back from it includes that millisecond's entries.
        return query is { Backward: true, Cursor: { } cursor } ? query with { Cursor = cursor.AddTicks(TimeSpan.TicksPerMillisecond - 1) } : query;
    }

    private static DateTimeOffset? Milliseconds(IQueryCollection raw, string name, List<string> errors)
    {
        var text = raw[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        errors.Add($"{name} must be a unix time in milliseconds, got '{text}'");
        return null;
    }

    private static int Limit(IQueryCollection raw, List<string> errors)
    {
        var text = raw["limit"].ToString();
        if (text.Length == 0)
        {
            return MaxLimit;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit)
        {
            return limit;
        }

        errors.Add($"limit must be an integer from 1 to {MaxLimit}, got '{text}'");
        return MaxLimit;
    }

    private static void ThrowIfAny(List<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new PaddockException(ErrorKind.InvalidArgument, string.Join("; ", errors));
        }
    }

    private static SandboxLogEntryResponse ToWire(SandboxLogEntry entry) => new(
        WireTime.Format(entry.Timestamp), entry.Level.ToString().ToLowerInvariant(), entry.Message, entry.Fields);

    // The deprecated endpoint's line is the entry as one JSON object, as envd's JSON log lines were.
    private static string Line(SandboxLogEntryResponse entry)
    {
        var line = new Dictionary<string, string>(entry.Fields, StringComparer.Ordinal)
        {
            ["level"] = entry.Level,
            ["message"] = entry.Message,
        };
        return JsonSerializer.Serialize(line, ApiJson.Wire.DictionaryStringString);
    }
}
