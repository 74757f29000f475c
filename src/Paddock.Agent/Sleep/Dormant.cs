namespace Paddock.Agent.Sleep;

/// <summary>
/// The agent asleep: pid 1 of the sandbox waits in one poll(2) over its four listeners, holding nothing else (two
/// host tasks: this thread and the runtime's finalizer). The first connection to any of them, which waits in that
/// listener's queue, wakes it: the full agent starts again in this process, with the listeners and its state.
/// Nothing here starts the framework's thread pool, sockets or signal handling.
/// </summary>
internal static class Dormant
{
    public static void Run(SleepDescriptors descriptors)
    {
        SleepNative.ReapChildrenAutomatically();
        SleepNative.WaitForInput(descriptors.Listeners());
        SleepNative.DefaultChildSignal();
        throw SleepNative.ExecSelf(["--host-fds", "--woken", descriptors.ToArgument()]);
    }
}
