namespace Paddock.Client;

/// <summary>The query part of an API URL: the parameters that have a value, each value escaped.</summary>
internal static class QueryString
{
    /// <summary><c>?a=1&amp;b=2</c> for the pairs whose value is not null; empty when none is.</summary>
    public static string Of(params ReadOnlySpan<(string Name, string? Value)> parameters)
    {
        var parts = new List<string>(parameters.Length);
        foreach (var (name, value) in parameters)
        {
            if (value is not null)
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}
