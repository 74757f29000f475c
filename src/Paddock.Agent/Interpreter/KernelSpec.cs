namespace Paddock.Agent.Interpreter;

/// <summary>
/// How to start the Jupyter kernel of a language (argv, with the connection file's place marked), what
/// must be installed for it, and the code that sets per-execution environment variables in it and puts
/// them back afterwards (<see cref="KernelEnvCode"/>). Python is Debian's ipykernel and R Debian's IRkernel;
/// bash, JavaScript, TypeScript and Java are the agent's own ipykernel wrapper kernels
/// (<c>python/paddock_kernels.py</c>), since Debian packages no kernel for them.
/// </summary>
internal sealed record KernelSpec(
    string Name,
    string Language,
    string[] Argv,
    string Requires,
    Func<IReadOnlyDictionary<string, string>, string> SetEnvCode,
    string ResetEnvCode,
    Func<IReadOnlyDictionary<string, string>, string>? InitCode = null)
{
    public const string ConnectionFilePlaceholder = "{connection_file}";

    private const string Python = "/usr/bin/python3";

    private static readonly KernelSpec[] s_known =
    [
        // The display formats of E2B's template (python/paddock_display.py); as E2B's kernels, tracebacks without
        // colour codes and long sequences shown whole. History in memory: IPython's default SQLite history file
        // commits after every cell.
        new(
            "python3",
            "python",
            [Python, "-m", "ipykernel_launcher", "-f", ConnectionFilePlaceholder, "--IPKernelApp.extensions=paddock_display",
                "--InteractiveShell.colors=NoColor", "--PlainTextFormatter.max_seq_length=0", "--HistoryManager.hist_file=:memory:"],
            "/usr/lib/python3/dist-packages/ipykernel",
            KernelEnvCode.PythonSet,
            KernelEnvCode.PythonReset),
        new(
            "paddock_javascript",
            "javascript",
            [Python, "-m", "paddock_kernels", "javascript", "-f", ConnectionFilePlaceholder],
            "/usr/bin/node",
            KernelEnvCode.NodeSet,
            KernelEnvCode.NodeReset),
        new(
            "paddock_typescript",
            "typescript",
            [Python, "-m", "paddock_kernels", "typescript", "-f", ConnectionFilePlaceholder],
            "/usr/share/nodejs/typescript",
            KernelEnvCode.NodeSet,
            KernelEnvCode.NodeReset),
        new(
            "paddock_bash",
            "bash",
            [Python, "-m", "paddock_kernels", "bash", "-f", ConnectionFilePlaceholder],
            "/bin/bash",
            KernelEnvCode.ShellSet,
            KernelEnvCode.ShellReset),
        new(
            "ir",
            "r",
            ["/usr/bin/R", "--slave", "-e", "IRkernel::main()", "--args", ConnectionFilePlaceholder],
            "/usr/lib/R/site-library/IRkernel",
            KernelEnvCode.RSet,
            KernelEnvCode.RReset),
        new(
            "paddock_java",
            "java",
            [Python, "-m", "paddock_kernels", "java", "-f", ConnectionFilePlaceholder],
            "/usr/bin/jshell",
            KernelEnvCode.JavaSet,
            KernelEnvCode.JavaReset,
            KernelEnvCode.JavaInit),
    ];

    /// <summary>The languages of E2B's default contexts, which exist before first use (their kernels start then).</summary>
    public static IReadOnlyList<string> DefaultLanguages { get; } = ["python", "javascript"];

    /// <summary>The agent's kernel helpers (the display extension, the wrapper kernels), shipped next to its binary.</summary>
    public static string PythonHelpers => Path.Combine(AppContext.BaseDirectory, "python");

    /// <summary>The languages whose kernels this sandbox has.</summary>
    public static IEnumerable<string> Languages => s_known.Where(k => k.IsInstalled).Select(k => k.Language);

    /// <summary>Whether the sandbox has what the kernel runs on (templates differ: Java is not in every one).</summary>
    public bool IsInstalled => File.Exists(Requires) || Directory.Exists(Requires);

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

    /// <summary>The kernel of a language, if this sandbox has it.</summary>
    public static KernelSpec? For(string language) => Known(language) is { IsInstalled: true } spec ? spec : null;

    /// <summary>The kernel the agent knows for a language, whether or not this sandbox has what it runs on.</summary>
    public static KernelSpec? Known(string language) => s_known.FirstOrDefault(k => k.Language == language);
}
