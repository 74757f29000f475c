using System.Globalization;

namespace Paddock.Agent.Sleep;

/// <summary>
/// Puts the agent to sleep once nothing has happened for a while: no connection open on any of its listeners (the
/// host's channel, the tunnel, envd's and the interpreter's ports), no process it started still running, no
/// directory watched, no code context. An idle sandbox then costs the host two tasks and a few hundred KiB instead
/// of the agent's six threads and its heap. It sleeps by replacing its own image (exec, so pid 1 stays and its
/// orphans stay its children) with <see cref="Dormant"/>, keeping its listeners and its state open across it.
/// </summary>
internal sealed class Sleeper(AcceptGate gate, TimeSpan after, Func<bool> busy, Func<byte[]> state, int envdListener, int interpreterListener)
{
    public async Task RunAsync(CancellationToken stopping)
    {
        while (true)
        {
            // Quiet means no connection came or went for the whole wait; while one is open, or something is held,
            // the agent looks again a wait later.
            var quietFor = TimeSpan.FromMilliseconds(Environment.TickCount64 - gate.LastChange);
            if (quietFor < after)
            {
                await Task.Delay(after - quietFor, OnDemandTimeProvider.Instance, stopping);
                continue;
            }

            if (gate.Connections > 0 || busy())
            {
                await Task.Delay(after, OnDemandTimeProvider.Instance, stopping);
                continue;
            }

            // A connection accepted between the look above and the door shutting keeps the agent awake.
            if (await gate.CloseAsync() && !busy())
            {
                try
                {
                    Sleep();
                }
                catch (Exception ex)
                {
                    AgentLog.Error("The agent could not sleep; it stays awake", ("error", ex.Message));
                    gate.Open();
                    return;
                }
            }

            gate.Open();
        }
    }

    private void Sleep()
    {
        var descriptors = new SleepDescriptors(envdListener, interpreterListener, SleepNative.MemoryFile("paddock-agent-state", state()));
        try
        {
            foreach (var fd in descriptors.All())
            {
                SleepNative.KeepAcrossExec(fd, keep: true);
            }

            AgentLog.Info("Agent asleep", ("after", after.TotalSeconds.ToString(CultureInfo.InvariantCulture)));
            throw SleepNative.ExecSelf(["--host-fds", "--asleep", descriptors.ToArgument()]);
        }
        catch
        {
            foreach (var fd in descriptors.All()[..^1])
            {
                SleepNative.KeepAcrossExec(fd, keep: false);
            }

            Process.Native.Close(descriptors.State);
            throw;
        }
    }
}
