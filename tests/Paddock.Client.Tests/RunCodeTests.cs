namespace Paddock.Client.Tests;

/// <summary><c>RunCodeAsync</c> and code contexts against a real sandbox's Jupyter kernels.</summary>
[Collection(SdkCollection.Name)]
public sealed class RunCodeTests(LiveServer live) : IAsyncLifetime
{
    private Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.CreateAsync(live.Options());

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task RunCode_ResultStateAndStreamedOutput()
    {
        Assert.Equal("2", (await _sandbox.RunCodeAsync("1+1")).Text);
        await _sandbox.RunCodeAsync("x = 20");
        var printed = new List<string>();
        var execution = await _sandbox.RunCodeAsync("print('hi')\nx + 1", new RunCodeOptions { OnStdout = printed.Add });
        Assert.Equal("21", execution.Text);
        Assert.Equal(["hi\n"], execution.Stdout);
        Assert.Equal(execution.Stdout, printed);
        Assert.NotNull(execution.ExecutionCount);
    }

    [Fact]
    public async Task Errors_Figures_And_Languages()
    {
        var failed = await _sandbox.RunCodeAsync("1/0");
        Assert.Equal("ZeroDivisionError", failed.Error?.Name);
        Assert.Contains("ZeroDivisionError", failed.Error!.Traceback, StringComparison.Ordinal);

        var figure = await _sandbox.RunCodeAsync("import matplotlib.pyplot as plt\nplt.bar(['a', 'b'], [1, 2])\nplt.show()");
        var result = Assert.Single(figure.Results, r => r.Png is not null);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Convert.FromBase64String(result.Png!)[..4]);
        Assert.Equal("bar", result.Chart?["type"]?.GetValue<string>());

        Assert.Equal("bash\n", string.Concat((await _sandbox.RunCodeAsync("echo bash", new RunCodeOptions { Language = "bash" })).Stdout));
        Assert.Equal("6", (await _sandbox.RunCodeAsync("[1, 2, 3].reduce((a, b) => a + b)", new RunCodeOptions { Language = "js" })).Text);
    }

    [Fact]
    public async Task Contexts_CreateListRestartRemove()
    {
        var context = await _sandbox.CreateCodeContextAsync(cwd: "/tmp");
        Assert.Equal("python", context.Language);
        Assert.Contains(await _sandbox.ListCodeContextsAsync(), c => c.Id == context.Id);
        Assert.Equal("/tmp", (await _sandbox.RunCodeAsync("import os; os.getcwd()", new RunCodeOptions { Context = context })).Text);

        await _sandbox.RunCodeAsync("y = 1", new RunCodeOptions { Context = context });
        await _sandbox.RestartCodeContextAsync(context);
        Assert.Equal("False", (await _sandbox.RunCodeAsync("'y' in dir()", new RunCodeOptions { Context = context })).Text);

        await _sandbox.RemoveCodeContextAsync(context);
        Assert.DoesNotContain(await _sandbox.ListCodeContextsAsync(), c => c.Id == context.Id);
    }

    [Fact]
    public async Task Timeout_IsSandboxTimeoutException_AndTheNextRunIsImmediate()
    {
        await Assert.ThrowsAsync<SandboxTimeoutException>(() =>
            _sandbox.RunCodeAsync("import time; time.sleep(30)", new RunCodeOptions { Timeout = TimeSpan.FromSeconds(1) }));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("'after'".Trim('\''), (await _sandbox.RunCodeAsync("'after'")).Text);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }
}
