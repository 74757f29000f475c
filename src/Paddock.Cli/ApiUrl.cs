namespace Paddock.Cli;

/// <summary>Reads an API address as the SDK does: absolute http(s), with a trailing slash so relative paths append.</summary>
internal static class ApiUrl
{
    public static Uri? Parse(string text) =>
        Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
}
