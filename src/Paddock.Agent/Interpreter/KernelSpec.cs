using System.Text.Json;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// How to start the Jupyter kernel of a language (argv, with the connection file's place marked), and
/// the code that sets per-execution environment variables in it and puts them back afterwards.
/// Python is Debian's ipykernel; bash, JavaScript and TypeScript are the agent's own ipykernel wrapper
/// kernels (<c>python/paddock_kernels.py</c>), since Debian packages no kernel for them.
/// </summary>
internal sealed record KernelSpec(string Name, string Language, string[] Argv, Func<IReadOnlyDictionary<string, string>, string> SetEnvCode, string ResetEnvCode)
{
    public const string ConnectionFilePlaceholder = "{connection_file}";

    private const string NodeResetEnv =
        "for (const [k, v] of Object.entries(globalThis.__paddockSavedEnv)) { if (v === undefined) delete process.env[k]; else process.env[k] = v }\n";

    private static readonly KernelSpec[] s_known =
    [
        // The display formats of E2B's template (python/paddock_display.py); as E2B's kernels, tracebacks without
        // colour codes and long sequences shown whole. History in memory: IPython's default SQLite history file
        // commits after every cell.
        new(
            "python3",
            "python",
            ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", ConnectionFilePlaceholder, "--IPKernelApp.extensions=paddock_display",
                "--InteractiveShell.colors=NoColor", "--PlainTextFormatter.max_seq_length=0", "--HistoryManager.hist_file=:memory:"],
            env =>
                "import os as _paddock_os, json as _paddock_json, base64 as _paddock_b64\n" +
                $"_paddock_env = _paddock_json.loads(_paddock_b64.b64decode('{Base64Json(env)}'))\n" +
                "_paddock_saved_env = {k: _paddock_os.environ.get(k) for k in _paddock_env}\n" +
                "_paddock_os.environ.update(_paddock_env)\n",
            "for _k, _v in _paddock_saved_env.items():\n" +
            "    _paddock_os.environ.pop(_k, None) if _v is None else _paddock_os.environ.__setitem__(_k, _v)\n"),
        new(
            "paddock_bash",
            "bash",
            ["/usr/bin/python3", "-m", "paddock_kernels", "bash", "-f", ConnectionFilePlaceholder],
            env =>
            {
                // Only names a shell can hold; the previous values of exactly these are restored afterwards.
                var names = env.Keys.Where(IsShellName).ToList();
                return $"__paddock_env_keys='{string.Join(' ', names)}'\n" +
                    "__paddock_env_backup=$(for k in $__paddock_env_keys; do [ -n \"${!k+x}\" ] && declare -p \"$k\"; done)\n" +
                    string.Concat(names.Select(name => $"export {name}={ShellQuote(env[name])}\n"));
            },
            "unset $__paddock_env_keys; eval \"$__paddock_env_backup\"\n"),
        new(
            "paddock_javascript",
            "javascript",
            ["/usr/bin/python3", "-m", "paddock_kernels", "javascript", "-f", ConnectionFilePlaceholder],
            NodeSetEnv,
            NodeResetEnv),
        new(
            "paddock_typescript",
            "typescript",
            ["/usr/bin/python3", "-m", "paddock_kernels", "typescript", "-f", ConnectionFilePlaceholder],
            NodeSetEnv,
            NodeResetEnv),
    ];

    /// <summary>The languages of E2B's default contexts, which exist before first use (their kernels start then).</summary>
    public static IReadOnlyList<string> DefaultLanguages { get; } = ["python", "javascript"];

    /// <summary>The agent's Python helpers (the display extension, the wrapper kernels), shipped next to its binary.</summary>
    public static string PythonHelpers => Path.Combine(AppContext.BaseDirectory, "python");

    public static IEnumerable<string> Languages => s_known.Select(k => k.Language);

    /// <summary>E2B's normalisation: lowercased and trimmed, <c>js</c> and <c>ts</c> spelled out, empty is python.</summary>
    public static string Normalize(string? language)
    {
        var name = (language ?? string.Empty).Trim().ToLowerInvariant();
        return name switch
        {
            "" => "python",
            "js" => "javascript",
            "ts" => "typescript",
            "sh" => "bash",
            _ => name,
        };
    }

    public static KernelSpec? For(string language) => s_known.FirstOrDefault(k => k.Language == language);

    private static string NodeSetEnv(IReadOnlyDictionary<string, string> env) =>
        "globalThis.__paddockSavedEnv = {};\n" +
        $"for (const [k, v] of Object.entries(JSON.parse(Buffer.from('{Base64Json(env)}', 'base64').toString()))) {{ __paddockSavedEnv[k] = process.env[k]; process.env[k] = v }}\n";

    private static string Base64Json(IReadOnlyDictionary<string, string> env) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(env), AgentJson.Default.DictionaryStringString));

    private static bool IsShellName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
