using System.Diagnostics;
using Paddock.Testing.Servers;

namespace Paddock.Client.Tests;

/// <summary>Every example in <c>examples/</c> runs green against a live server and prints what it should.</summary>
[Collection(SdkCollection.Name)]
public sealed class ExamplesTests(LiveServer live)
{
    [Theory]
    [InlineData("create", "Sandbox created: i")]
    [InlineData("custom-timeout", "Lives for 60 s")]
    [InlineData("set-timeout", "Ends in about 30 s")]
    [InlineData("get-info", "from base, Running, userId=123")]
    [InlineData("kill", "Running after kill: False")]
    [InlineData("kill-by-id", "Killed: True; killed again: False")]
    [InlineData("await-using", "inside the sandbox\nKilled on dispose: True")]
    [InlineData("try-finally", "Result: 45")]
    [InlineData("auto-pause", "Resumed, file says: kept")]
    [InlineData("pause", "Paused: True\nState: Paused")]
    [InlineData("connect", "hello again")]
    [InlineData("list", "Running with example=list: 1\nFound mine")]
    [InlineData("run-code", "hello world\nResult: 2")]
    [InlineData("files", "-rw-r--r-- user my-file.txt")]
    [InlineData("timeout-handling", "Sandbox timed out:")]
    [InlineData("remaining-time", "Remaining: about 5 minutes")]
    [InlineData("pattern-per-task", "2 ** 10 = 1024\nlen('sandbox') = 7")]
    [InlineData("pattern-session", "['first', 'second']")]
    [InlineData("pattern-pause-between-sessions", "['started', 'resumed']")]
    public async Task Example_RunsGreen(string name, string expected)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Paddock.Examples.dll"));
        info.ArgumentList.Add(name);
        info.Environment["PADDOCK_API_URL"] = live.Server.BaseAddress.ToString();
        info.Environment["PADDOCK_API_KEY"] = ServerProcess.ApiKey;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        Assert.Contains(expected, await stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHostedExample_UsesAddPaddock_AndExportsTheSdksSpansAndMetrics()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Paddock.Hosted.dll"));
        info.Environment["Paddock__ApiUrl"] = live.Server.BaseAddress.ToString();
        info.Environment["Paddock__ApiKey"] = ServerProcess.ApiKey;
        info.Environment["PADDOCK_API_URL"] = null;
        info.Environment["PADDOCK_API_KEY"] = null;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {output}{await stderr}");
        Assert.Contains("The sandbox runs Linux; sum(range(10)) = 45", output, StringComparison.Ordinal);
        Assert.Contains("paddock sandbox create", output, StringComparison.Ordinal);
        Assert.Contains("paddock POST sandboxes", output, StringComparison.Ordinal);
        Assert.Contains("paddock.client.request.duration", output, StringComparison.Ordinal);
    }
}
