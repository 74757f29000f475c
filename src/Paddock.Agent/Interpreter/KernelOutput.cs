using System.Text;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// A kernel process's own stdout and stderr (its start-up messages, warnings, a crash's traceback; what cells
/// print reaches clients over iopub instead). The first part of each goes to the sandbox's log, line by line;
/// past a budget the rest is read and dropped, with one entry saying so, so a kernel that writes without end
/// neither fills the log nor blocks on a full pipe.
/// </summary>
internal static class KernelOutput
{
    private const int Budget = 64 * 1024;
    private const int MaxLine = 2048;

    public static async Task DrainAsync(Stream output, string kernel, string pid)
    {
        var logged = 0;
        var dropped = 0L;
        var buffer = new byte[16 * 1024];
        var line = new StringBuilder();
        try
        {
            int read;
            while ((read = await output.ReadAsync(buffer)) > 0)
            {
                if (logged >= Budget)
                {
                    dropped += read;
                    continue;
                }

                foreach (var c in Encoding.UTF8.GetString(buffer, 0, read))
                {
                    if (c == '\n')
                    {
                        Flush(line, kernel, pid, ref logged);
                    }
                    else if (line.Length < MaxLine)
                    {
                        line.Append(c);
                    }
                }
            }

            Flush(line, kernel, pid, ref logged);
        }
        catch (IOException)
        {
            // The kernel is gone.
        }

        if (dropped > 0)
        {
            AgentLog.Warn("Kernel output dropped", ("kernel", kernel), ("pid", pid), ("bytes", dropped.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static void Flush(StringBuilder line, string kernel, string pid, ref int logged)
    {
        if (line.Length > 0)
        {
            logged += line.Length;
            AgentLog.Warn(line.ToString(), ("kernel", kernel), ("pid", pid));
            line.Clear();
        }
    }
}
