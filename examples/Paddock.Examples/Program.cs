using Paddock.Examples;

// Each example is a small program of its own, in its own file; this picks one by name.
var examples = new Dictionary<string, Func<Task>>(StringComparer.Ordinal)
{
    ["create"] = CreateSandbox.RunAsync,
    ["custom-timeout"] = CustomTimeout.RunAsync,
    ["set-timeout"] = SetTimeout.RunAsync,
    ["get-info"] = GetInfo.RunAsync,
    ["kill"] = Kill.RunAsync,
    ["kill-by-id"] = KillById.RunAsync,
    ["await-using"] = AwaitUsing.RunAsync,
    ["try-finally"] = TryFinally.RunAsync,
    ["auto-pause"] = AutoPause.RunAsync,
    ["pause"] = Pause.RunAsync,
    ["connect"] = Connect.RunAsync,
    ["list"] = ListSandboxes.RunAsync,
    ["run-code"] = RunCode.RunAsync,
    ["files"] = FilesExample.RunAsync,
    ["timeout-handling"] = TimeoutHandling.RunAsync,
    ["remaining-time"] = RemainingTime.RunAsync,
    ["pattern-per-task"] = PatternPerTask.RunAsync,
    ["pattern-session"] = PatternSession.RunAsync,
    ["pattern-pause-between-sessions"] = PatternPauseBetweenSessions.RunAsync,
};

if (args.Length != 1 || !examples.TryGetValue(args[0], out var example))
{
    Console.Error.WriteLine($"usage: Paddock.Examples <{string.Join('|', examples.Keys)}>");
    return 2;
}

await example();
return 0;
