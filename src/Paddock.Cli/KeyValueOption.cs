using System.CommandLine;

namespace Paddock.Cli;

/// <summary>A repeatable <c>key=value</c> option (<c>--metadata</c>, <c>--env</c>); a value without '=' is a parse error.</summary>
internal static class KeyValueOption
{
    public static Option<string[]> Create(string name, string alias, string description)
    {
        var option = new Option<string[]>(name, alias) { Description = description, AllowMultipleArgumentsPerToken = false };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"{name} must be key=value, not '{token.Value}'");
                }
            }
        });
        return option;
    }

    /// <summary>The pairs, the last value winning for a repeated key; null when there are none.</summary>
    public static Dictionary<string, string>? Pairs(string[]? values)
    {
        if (values is not { Length: > 0 })
        {
            return null;
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            pairs[value[..equals]] = value[(equals + 1)..];
        }

        return pairs;
    }
}
