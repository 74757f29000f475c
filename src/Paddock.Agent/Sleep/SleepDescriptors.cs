using System.Globalization;

namespace Paddock.Agent.Sleep;

/// <summary>
/// The descriptors the agent keeps across its sleep besides the host's two listeners (3 and 4): its own listeners on
/// envd's and the code interpreter's ports inside the sandbox, and its state (a memory file in <c>init.json</c>'s
/// format). They are passed on the command line of the image that replaces it, as numbers.
/// </summary>
internal sealed record SleepDescriptors(int EnvdListener, int InterpreterListener, int State)
{
    public string ToArgument() => string.Create(CultureInfo.InvariantCulture, $"{EnvdListener},{InterpreterListener},{State}");

    public static SleepDescriptors Parse(string argument)
    {
        var parts = argument.Split(',');
        if (parts.Length != 3)
        {
            throw new FormatException($"expected three descriptors, got '{argument}'");
        }

        return new SleepDescriptors(Fd(parts[0]), Fd(parts[1]), Fd(parts[2]));
    }

    /// <summary>Every descriptor that must stay open across the exec, the host's listeners first.</summary>
    public int[] All() => [AgentOptions.AgentListenerFd, AgentOptions.TunnelListenerFd, EnvdListener, InterpreterListener, State];

    /// <summary>The listeners a connection can arrive on.</summary>
    public int[] Listeners() => [AgentOptions.AgentListenerFd, AgentOptions.TunnelListenerFd, EnvdListener, InterpreterListener];

    private static int Fd(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
