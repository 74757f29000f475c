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
    /// <summary>
    /// Waits until the agent has had nothing to do for the whole wait, then shuts the door and returns true: the caller
    /// then calls <see cref="Sleep"/>, from the process's main thread. False once <paramref name="stopping"/> is set.
    /// </summary>
    public async Task<bool> WaitForSleepAsync(CancellationToken stopping)
    {
        try
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
                    return true;
                }

                gate.Open();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Replaces the agent with itself asleep (see <see cref="Dormant"/>), its listeners and state kept open; returns only
    /// by throwing, with everything as it was. Call it from the main thread: an exec from another thread ends the old
    /// main thread, and the kernel then looks for a new owner of the process's memory among every process on the host.
    /// </summary>
    public void Sleep()
    {
        var descriptors = new SleepDescriptors(envdListener, interpreterListener, SleepNative.MemoryFile("paddock-agent-state", state()));
        try
        {
            foreach (var fd in descriptors.All())
            {
                Process.Native.SetCloseOnExec(fd, on: false);
            }

            AgentLog.Info("Agent asleep", ("after", after.TotalSeconds.ToString(CultureInfo.InvariantCulture)));
            throw SleepNative.ExecSelf(["--host-fds", "--asleep", descriptors.ToArgument()]);
        }
        catch
        {
            foreach (var fd in descriptors.All()[..^1])
            {
                Process.Native.SetCloseOnExec(fd);
            }

            Process.Native.Close(descriptors.State);
            throw;
        }
    }
}
