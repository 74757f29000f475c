namespace Paddock.Cli.Tests;

/// <summary>
/// What the CLI says about what it was given: <c>--api-url</c>, bad arguments (exit code 2 and one line, not
/// the whole help), and local files that are not there, each without a stack trace.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class ArgumentTests(CliServer live)
{
    [Fact]
    public async Task ApiUrl_IsUsed_OverTheEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["PADDOCK_API_URL"] = "http://127.0.0.1:9" };
        var list = await live.RunAsync(["--api-url", live.Server.BaseAddress.ToString().TrimEnd('/'), "sandbox", "list", "--json"], environment: environment);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.StartsWith("[", list.Stdout, StringComparison.Ordinal);

        var after = await live.RunAsync(["sandbox", "list", "--api-url", live.Server.BaseAddress.ToString()], environment: environment);
        Assert.True(after.ExitCode == 0, after.Stderr);
    }

    [Theory]
    [InlineData("--api-url", "not-a-url", "sandbox", "list")]
    [InlineData("--api-url", "ftp://127.0.0.1", "sandbox", "list")]
    [InlineData("sandbox", "list", "--state", "sleeping")]
    [InlineData("sandbox", "frobnicate")]
    [InlineData("sandbox")]
    [InlineData("sandbox", "create", "--metadata", "no-equals-sign")]
    [InlineData("sandbox", "create", "--timeout", "soon")]
    [InlineData("sandbox", "kill")]
    [InlineData("sandbox", "kill", "someid", "--all")]
    [InlineData("sandbox", "exec", "someid")]
    [InlineData("sandbox", "logs", "someid", "--level", "loud")]
    public async Task BadArguments_ExitWith2_AndOneLineThatPointsToHelp(params string[] args)
    {
        var result = await live.PaddockAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("paddock: ", line, StringComparison.Ordinal);
        Assert.EndsWith("--help')", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_StillPrintsTheHelp()
    {
        var help = await live.PaddockAsync("sandbox", "exec", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--resume", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalFiles_MissingOrADirectory_AreOneLine_AndGetIntoADirectoryWritesInIt()
    {
        var id = (await live.PaddockAsync("sandbox", "create")).Stdout.Trim();
        var dir = Directory.CreateTempSubdirectory("paddock-cli-files-").FullName;
        try
        {
            var missing = await live.PaddockAsync("sandbox", "files", "put", id, Path.Combine(dir, "missing.txt"), "x.txt");
            Assert.Equal(3, missing.ExitCode);
            Assert.Equal($"paddock: {Path.Combine(dir, "missing.txt")}: no such file\n", missing.Stderr);

            var directory = await live.PaddockAsync("sandbox", "files", "put", id, dir, "x.txt");
            Assert.Equal(2, directory.ExitCode);
            Assert.Single(directory.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            var get = await live.PaddockAsync("sandbox", "files", "get", id, ".bashrc", dir);
            Assert.True(get.ExitCode == 0, get.Stderr);
            Assert.True(new FileInfo(Path.Combine(dir, ".bashrc")).Length > 0);

            var noParent = await live.PaddockAsync("sandbox", "files", "get", id, ".bashrc", Path.Combine(dir, "no", "such", "dir", "f"));
            Assert.Equal(3, noParent.ExitCode);
            Assert.Single(noParent.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", noParent.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }
}
