using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>The outcome of <see cref="Sandbox.RunCodeAsync"/>: results, printed output and the error, if any.</summary>
public sealed class Execution
{
    internal Execution()
    {
    }

    /// <summary>Every result: the value of the last expression (<see cref="Result.IsMainResult"/>) and anything displayed.</summary>
    public IReadOnlyList<Result> Results => ResultList;

    /// <summary>Output printed to stdout, a piece per message.</summary>
    public IReadOnlyList<string> Stdout => StdoutList;

    /// <summary>Output printed to stderr, a piece per message.</summary>
    public IReadOnlyList<string> Stderr => StderrList;

    internal List<Result> ResultList { get; } = [];

    internal List<string> StdoutList { get; } = [];

    internal List<string> StderrList { get; } = [];

    /// <summary>The error the code raised, if it did.</summary>
    public ExecutionError? Error { get; internal set; }

    /// <summary>The kernel's execution counter for this run.</summary>
    public int? ExecutionCount { get; internal set; }

    /// <summary>The text of the main result (the last expression's value), if there is one.</summary>
    public string? Text => Results.FirstOrDefault(r => r.IsMainResult)?.Text;

    /// <summary>The execution in one line: its main result, how much it printed, and its error.</summary>
    /// <returns>For example <c>Execution { Text = 2, Results = 1, Stdout = "hi\n", Stderr = "", Error = none }</c>.</returns>
    public override string ToString() =>
        $"Execution {{ Text = {Text ?? "none"}, Results = {Results.Count}, Stdout = \"{Escape(string.Concat(Stdout))}\", Stderr = \"{Escape(string.Concat(Stderr))}\", Error = {(Error is null ? "none" : $"{Error.Name}: {Error.Value}")} }}";

    private static string Escape(string text)
    {
        var shown = text.Length > 200 ? text[..200] + "…" : text;
        return shown.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
    }
}

/// <summary>An error raised by executed code.</summary>
/// <param name="Name">Its type, e.g. <c>ZeroDivisionError</c>.</param>
/// <param name="Value">Its message.</param>
/// <param name="Traceback">The traceback, as the kernel formats it.</param>
public sealed record ExecutionError(string Name, string Value, string Traceback);

/// <summary>A result of executed code in every format the kernel gave (most are null).</summary>
public sealed record Result
{
    /// <summary>Whether this is the value of the last expression (rather than something displayed).</summary>
    public bool IsMainResult { get; init; }

    /// <summary>Plain text.</summary>
    public string? Text { get; init; }

    /// <summary>HTML.</summary>
    public string? Html { get; init; }

    /// <summary>Markdown.</summary>
    public string? Markdown { get; init; }

    /// <summary>SVG.</summary>
    public string? Svg { get; init; }

    /// <summary>A PNG image, base64-encoded.</summary>
    public string? Png { get; init; }

    /// <summary>A JPEG image, base64-encoded.</summary>
    public string? Jpeg { get; init; }

    /// <summary>A PDF, base64-encoded.</summary>
    public string? Pdf { get; init; }

    /// <summary>LaTeX.</summary>
    public string? Latex { get; init; }

    /// <summary>JavaScript.</summary>
    public string? Javascript { get; init; }

    /// <summary>JSON data.</summary>
    public JsonNode? Json { get; init; }

    /// <summary>E2B's <c>data</c> format (e.g. a DataFrame).</summary>
    public JsonNode? Data { get; init; }

    /// <summary>E2B's chart object of a matplotlib figure (<c>type</c>, <c>title</c>, <c>elements</c>…).</summary>
    public JsonNode? Chart { get; init; }

    /// <summary>Any other MIME types, by type.</summary>
    public JsonObject? Extra { get; init; }

    internal static Result FromJson(JsonObject line) => new()
    {
        IsMainResult = line["is_main_result"]?.GetValue<bool>() ?? false,
        Text = Str(line, "text"),
        Html = Str(line, "html"),
        Markdown = Str(line, "markdown"),
        Svg = Str(line, "svg"),
        Png = Str(line, "png"),
        Jpeg = Str(line, "jpeg"),
        Pdf = Str(line, "pdf"),
        Latex = Str(line, "latex"),
        Javascript = Str(line, "javascript"),
        Json = line["json"]?.DeepClone(),
        Data = line["data"]?.DeepClone(),
        Chart = line["chart"]?.DeepClone(),
        Extra = line["extra"]?.DeepClone() as JsonObject,
    };

    private static string? Str(JsonObject line, string name) => line[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>A code context: a kernel of its own, with its own state, language and working directory.</summary>
/// <param name="Id">The context's id.</param>
/// <param name="Language">Its language (python, bash, javascript, typescript).</param>
/// <param name="Cwd">Its working directory.</param>
public sealed record CodeContext(string Id, string Language, string Cwd);

/// <summary>How to run code. Every property is optional.</summary>
public sealed record RunCodeOptions
{
    /// <summary>The language (python by default); each has a default context. Not with <see cref="Context"/>.</summary>
    public string? Language { get; init; }

    /// <summary>A context made with <see cref="Sandbox.CreateCodeContextAsync"/>. Not with <see cref="Language"/>.</summary>
    public CodeContext? Context { get; init; }

    /// <summary>Environment variables for this execution only.</summary>
    public IReadOnlyDictionary<string, string>? Envs { get; init; }

    /// <summary>How long the execution may run (60 s by default; zero for no limit). Past it the kernel is interrupted.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Called with each piece of stdout as it is printed.</summary>
    public Action<string>? OnStdout { get; init; }

    /// <summary>Called with each piece of stderr as it is printed.</summary>
    public Action<string>? OnStderr { get; init; }

    /// <summary>Called with each result as it arrives.</summary>
    public Action<Result>? OnResult { get; init; }
}
