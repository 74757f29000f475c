using System.Globalization;
using System.Net;
using Microsoft.Extensions.Primitives;
using Paddock.Core.Errors;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;
using Paddock.Core.Templates;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>Reads the query of <c>GET /v2/sandboxes</c> into a <see cref="SandboxListQuery"/>, collecting every error.</summary>
internal static class ListQueryParser
{
    public const int MaxLimit = 100;

    public static SandboxListQuery Parse(IQueryCollection query, ITemplateCatalog templates)
    {
        var errors = new List<string>();
        var states = ParseStates(query["state"], errors);
        var metadata = ParseMetadata(query["metadata"].ToString(), errors);

        var ascending = false;
        switch (query["order"].ToString())
        {
            case "" or "desc":
                break;
            case "asc":
                ascending = true;
                break;
            case var other:
                errors.Add($"order must be 'asc' or 'desc', got '{other}'");
                break;
        }

        var limit = MaxLimit;
        if (query["limit"].ToString() is { Length: > 0 } rawLimit)
        {
            if (!int.TryParse(rawLimit, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit))
            {
                errors.Add($"limit must be an integer, got '{rawLimit}'");
            }
            else if (limit < 1)
            {
                errors.Add($"limit must be at least 1, got {limit}");
            }

            limit = Math.Clamp(limit, 1, MaxLimit);
        }

        DateTimeOffset? startedAfter = null;
        if (query["startedAfter"].ToString() is { Length: > 0 } rawStarted)
        {
            if (WireTime.TryParse(rawStarted, out var parsed))
            {
                startedAfter = parsed;
            }
            else
            {
                errors.Add($"startedAfter must be an RFC 3339 date-time, got '{rawStarted}'");
            }
        }

        string? templateId = null;
        if (query["template"].ToString() is { Length: > 0 } rawTemplate)
        {
            if (rawTemplate.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"template must be a template id or alias without a tag, got '{rawTemplate}'");
            }

            templateId = templates.Find(rawTemplate)?.Id ?? rawTemplate;
        }

        ListCursor? after = null;
        if (query["nextToken"].ToString() is { Length: > 0 } token)
        {
            if (!ListCursor.TryDecode(token, out after))
            {
                errors.Add("Invalid next token");
            }
            else if (after!.Ascending != ascending)
            {
                errors.Add("Invalid next token: it was issued for the other order");
            }
        }

        if (errors.Count > 0)
        {
            throw new PaddockException(ErrorKind.InvalidArgument, string.Join("; ", errors));
        }

        return new SandboxListQuery
        {
            States = states,
            Metadata = metadata,
            TemplateId = templateId,
            StartedAfter = startedAfter,
            Ascending = ascending,
            Limit = limit,
            After = after,
        };
    }

    private static SandboxState[] ParseStates(StringValues values, List<string> errors)
    {
        var states = new List<SandboxState>();
        foreach (var value in values.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            SandboxState? state = value switch
            {
                "running" => SandboxState.Running,
                "paused" => SandboxState.Paused,
                // A Paddock extension: killed sandboxes stay listed as history when asked for.
                "killed" => SandboxState.Killed,
                _ => null,
            };
            if (state is null)
            {
                errors.Add($"state must be 'running', 'paused' or 'killed', got '{value}'");
            }
            else if (!states.Contains(state.Value))
            {
                states.Add(state.Value);
            }
        }

        return states.Count > 0 ? [.. states] : [SandboxState.Running, SandboxState.Paused];
    }

    // E2B's SDKs encode metadata three times (see the protocol reference §2.4): each key and value,
    // the joined string, and the query value. ASP.NET has undone the last; this undoes the other two.
    internal static Dictionary<string, string> ParseMetadata(string raw, List<string> errors)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (raw.Length == 0)
        {
            return metadata;
        }

        foreach (var pair in WebUtility.UrlDecode(raw).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=');
            if (parts.Length != 2)
            {
                errors.Add($"invalid metadata filter '{pair}': expected key=value");
                continue;
            }

            metadata[WebUtility.UrlDecode(parts[0])] = WebUtility.UrlDecode(parts[1]);
        }

        return metadata;
    }
}
