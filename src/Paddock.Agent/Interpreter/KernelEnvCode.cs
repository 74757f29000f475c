using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// The code, per language, that sets an execution's environment variables in a kernel before it runs and
/// puts back exactly what was there afterwards (E2B's <c>envs</c> of <c>runCode</c>). Values travel as
/// base64 JSON where the language can read it, so no value needs quoting in that language's syntax.
/// Java cannot change its process environment: there, as in E2B's Java kernel, the variables are system
/// properties (<c>System.getProperty</c>).
/// </summary>
internal static class KernelEnvCode
{
    public static string PythonSet(IReadOnlyDictionary<string, string> env) =>
        "import os as _paddock_os, json as _paddock_json, base64 as _paddock_b64\n" +
        $"_paddock_env = _paddock_json.loads(_paddock_b64.b64decode('{Base64Json(env)}'))\n" +
        "_paddock_saved_env = {k: _paddock_os.environ.get(k) for k in _paddock_env}\n" +
        "_paddock_os.environ.update(_paddock_env)\n";

    public const string PythonReset =
        "for _k, _v in _paddock_saved_env.items():\n" +
        "    _paddock_os.environ.pop(_k, None) if _v is None else _paddock_os.environ.__setitem__(_k, _v)\n";

    public static string ShellSet(IReadOnlyDictionary<string, string> env)
    {
        // Only names a shell can hold; the previous values of exactly these are restored afterwards.
        var names = env.Keys.Where(IsShellName).ToList();
        return $"__paddock_env_keys='{string.Join(' ', names)}'\n" +
            "__paddock_env_backup=$(for k in $__paddock_env_keys; do [ -n \"${!k+x}\" ] && declare -p \"$k\"; done)\n" +
            string.Concat(names.Select(name => $"export {name}={ShellQuote(env[name])}\n"));
    }

    public const string ShellReset = "unset $__paddock_env_keys; eval \"$__paddock_env_backup\"\n";

    public static string NodeSet(IReadOnlyDictionary<string, string> env) =>
        "globalThis.__paddockSavedEnv = {};\n" +
        $"for (const [k, v] of Object.entries(JSON.parse(Buffer.from('{Base64Json(env)}', 'base64').toString()))) {{ __paddockSavedEnv[k] = process.env[k]; process.env[k] = v }}\n";

    public const string NodeReset =
        "for (const [k, v] of Object.entries(globalThis.__paddockSavedEnv)) { if (v === undefined) delete process.env[k]; else process.env[k] = v }\n";

    // jsonlite and base64enc come with IRkernel. Dot names stay out of ls().
    public static string RSet(IReadOnlyDictionary<string, string> env) =>
        $".paddock_env <- jsonlite::fromJSON(rawToChar(base64enc::base64decode('{Base64Json(env)}')))\n" +
        ".paddock_saved_env <- as.list(Sys.getenv(names(.paddock_env), unset = NA, names = TRUE))\n" +
        "invisible(do.call(Sys.setenv, .paddock_env))\n";

    public const string RReset =
        "for (.paddock_k in names(.paddock_saved_env)) if (is.na(.paddock_saved_env[[.paddock_k]])) Sys.unsetenv(.paddock_k) else do.call(Sys.setenv, setNames(list(.paddock_saved_env[[.paddock_k]]), .paddock_k))\n" +
        "rm(.paddock_k, .paddock_env, .paddock_saved_env)\n";

    public static string JavaSet(IReadOnlyDictionary<string, string> env)
    {
        var code = new StringBuilder("var __paddockSavedEnv = new java.util.HashMap<String, String>();\n");
        foreach (var (name, value) in env)
        {
            code.Append(CultureInfo.InvariantCulture, $"__paddockSavedEnv.put({JavaString(name)}, System.getProperty({JavaString(name)}));\n");
            code.Append(CultureInfo.InvariantCulture, $"System.setProperty({JavaString(name)}, {JavaString(value)});\n");
        }

        return code.ToString();
    }

    public const string JavaReset =
        "__paddockSavedEnv.forEach((k, v) -> { if (v == null) System.clearProperty(k); else System.setProperty(k, v); });\n";

    /// <summary>The sandbox's variables as system properties in a new Java kernel, as E2B sets them on first use.</summary>
    public static string JavaInit(IReadOnlyDictionary<string, string> env) =>
        string.Concat(env.Select(e => $"System.setProperty({JavaString(e.Key)}, {JavaString(e.Value)});\n"));

    private static string Base64Json(IReadOnlyDictionary<string, string> env) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(env), AgentJson.Default.DictionaryStringString));

    private static bool IsShellName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    // A Java string literal. A backslash is doubled, so no \u in a value can start a unicode escape.
    private static string JavaString(string value)
    {
        var literal = new StringBuilder("\"", value.Length + 2);
        foreach (var c in value)
        {
            literal.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return literal.Append('"').ToString();
    }
}
