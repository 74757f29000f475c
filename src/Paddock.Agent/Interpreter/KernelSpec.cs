namespace Paddock.Agent.Interpreter;

/// <summary>How to start the Jupyter kernel of a language (argv, with the connection file's place marked).</summary>
internal sealed record KernelSpec(string Name, string Language, string[] Argv, Func<string, string> SetEnvCode, string ResetEnvCode)
{
    public const string ConnectionFilePlaceholder = "{connection_file}";

    /// <summary>The agent's Python helpers (the chart extension), shipped next to its binary.</summary>
    public static string PythonHelpers => Path.Combine(AppContext.BaseDirectory, "python");

    private static readonly KernelSpec[] s_known =
    [
        new(
            "python3",
            "python",
            ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", ConnectionFilePlaceholder, "--IPKernelApp.extensions=paddock_charts"],
            base64Json =>
                "import os as _paddock_os, json as _paddock_json, base64 as _paddock_b64\n" +
                $"_paddock_env = _paddock_json.loads(_paddock_b64.b64decode('{base64Json}'))\n" +
                "_paddock_saved_env = {k: _paddock_os.environ.get(k) for k in _paddock_env}\n" +
                "_paddock_os.environ.update(_paddock_env)\n",
            "for _k, _v in _paddock_saved_env.items():\n" +
            "    _paddock_os.environ.pop(_k, None) if _v is None else _paddock_os.environ.__setitem__(_k, _v)\n"),
    ];

    /// <summary>E2B's normalisation: lowercased and trimmed, <c>js</c> and <c>ts</c> spelled out, empty is python.</summary>
    public static string Normalize(string? language)
    {
        var name = (language ?? string.Empty).Trim().ToLowerInvariant();
        return name switch
        {
            "" => "python",
            "js" => "javascript",
            "ts" => "typescript",
            _ => name,
        };
    }

    public static KernelSpec? For(string language) => s_known.FirstOrDefault(k => k.Language == language);

    public static IEnumerable<string> Languages => s_known.Select(k => k.Language);
}
