using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Paddock.Cli.Tests;

/// <summary><c>paddock sandbox exec</c>: stdin piped through, and the sandbox's lifecycle left as it was.</summary>
[Collection(CliCollection.Name)]
public sealed class ExecTests(CliServer live)
{
    [Fact]
    public async Task Exec_PipesStdin_AndClosesItAtEndOfFile()
    {
        var id = (await live.PaddockAsync("sandbox", "create")).Stdout.Trim();
        try
        {
            var cat = await live.RunAsync(["sandbox", "exec", id, "--", "cat"], stdin: Encoding.UTF8.GetBytes("x\ny ü\n"));
            Assert.True(cat.ExitCode == 0, cat.Stderr);
            Assert.Equal("x\ny ü\n", cat.Stdout);

            // Bytes, not text, and more than one chunk.
            var data = RandomNumberGenerator.GetBytes(300_000);
            var sum = await live.RunAsync(["sandbox", "exec", id, "--", "sha256sum"], stdin: data);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)) + "  -\n", sum.Stdout);

            // A command that stops reading early, and one that never reads, end as usual.
            Assert.Equal("1\n", (await live.RunAsync(["sandbox", "exec", id, "--", "head", "-1"], stdin: Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 50_000).Select(i => $"{i}\n"))))).Stdout);
            Assert.Equal(4, (await live.RunAsync(["sandbox", "exec", id, "--", "sh", "-c", "exit 4"], stdin: [1, 2, 3])).ExitCode);
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    [Fact]
    public async Task Exec_OnAPausedSandbox_FailsAndLeavesItPaused_UnlessResumeIsGiven()
    {
        var id = (await live.PaddockAsync("sandbox", "create")).Stdout.Trim();
        try
        {
            Assert.Equal(0, (await live.PaddockAsync("sandbox", "pause", id)).ExitCode);

            var refused = await live.PaddockAsync("sandbox", "exec", id, "--", "echo", "hi");
            Assert.Equal(5, refused.ExitCode);
            Assert.Equal(string.Empty, refused.Stdout);
            Assert.Contains("is paused", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("--resume", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal("paused", await StateAsync(id));

            var resumed = await live.PaddockAsync("sandbox", "exec", "--resume", id, "--", "echo", "hi");
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            Assert.Equal("hi\n", resumed.Stdout);
            Assert.Equal("running", await StateAsync(id));
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    [Theory]
    [InlineData(3600)]
    [InlineData(40)]
    public async Task Exec_LeavesTheSandboxesTimeoutAsItWas(int timeout)
    {
        var id = (await live.PaddockAsync("sandbox", "create", "--timeout", timeout.ToString(CultureInfo.InvariantCulture))).Stdout.Trim();
        try
        {
            var before = await EndAtAsync(id);
            Assert.Equal("ran\n", (await live.PaddockAsync("sandbox", "exec", id, "--", "echo", "ran")).Stdout);
            Assert.Equal(0, (await live.PaddockAsync("sandbox", "files", "ls", id, ".")).ExitCode);
            Assert.Equal(before, await EndAtAsync(id));
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    private async Task<JsonElement> InfoAsync(string id) =>
        JsonDocument.Parse((await live.PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement;

    private async Task<string> StateAsync(string id) => (await InfoAsync(id)).GetProperty("state").GetString()!;

    private async Task<string> EndAtAsync(string id) => (await InfoAsync(id)).GetProperty("endAt").GetString()!;
}
