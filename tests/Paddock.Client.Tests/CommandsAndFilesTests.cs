using System.Text;
using Paddock.Testing;

namespace Paddock.Client.Tests;

/// <summary><c>sandbox.Commands</c> and <c>sandbox.Files</c> against a real sandbox.</summary>
[Collection(SdkCollection.Name)]
public sealed class CommandsAndFilesTests(LiveServer live) : IAsyncLifetime
{
    private Sandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await Sandbox.CreateAsync(live.Options() with { EnvVars = new Dictionary<string, string> { ["GLOBAL"] = "g" } });

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task Run_ReturnsOutput_AsTheUser_WithEnvAndCwd()
    {
        var streamed = new StringBuilder();
        var result = await _sandbox.Commands.RunAsync("echo $GLOBAL $LOCAL; whoami; pwd; echo oops >&2", new CommandOptions
        {
            Envs = new Dictionary<string, string> { ["LOCAL"] = "l" },
            Cwd = "/tmp",
            OnStdout = text => streamed.Append(text),
        });
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("g l\nuser\n/tmp\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
        Assert.Equal(result.Stdout, streamed.ToString());
        Assert.Equal("root\n", (await _sandbox.Commands.RunAsync("whoami", new CommandOptions { User = "root" })).Stdout);
    }

    [Fact]
    public async Task NonZeroExit_IsCommandExitException_AndTimeout_IsSandboxTimeoutException()
    {
        var failed = await Assert.ThrowsAsync<CommandExitException>(() => _sandbox.Commands.RunAsync("echo before; exit 3"));
        Assert.Equal(3, failed.Result.ExitCode);
        Assert.Equal("before\n", failed.Result.Stdout);

        await Assert.ThrowsAsync<SandboxTimeoutException>(() => _sandbox.Commands.RunAsync("sleep 30", new CommandOptions { Timeout = TimeSpan.FromSeconds(1) }));
        Assert.DoesNotContain(await _sandbox.Commands.ListAsync(), p => p.Args.Contains("sleep 30"));
    }

    [Fact]
    public async Task Background_Stdin_List_Connect_Kill()
    {
        var cat = await _sandbox.Commands.StartAsync("cat", new CommandOptions { Stdin = true, Timeout = TimeSpan.Zero });
        Assert.Contains(await _sandbox.Commands.ListAsync(), p => p.Pid == cat.Pid);
        await _sandbox.Commands.SendStdinAsync(cat.Pid, "through stdin\n");
        await Eventually.TrueAsync(() => cat.Stdout.Length > 0, "cat to echo its stdin");
        Assert.Equal("through stdin\n", cat.Stdout);
        var again = await _sandbox.Commands.ConnectAsync(cat.Pid);
        Assert.True(await cat.KillAsync());
        await Assert.ThrowsAsync<CommandExitException>(() => again.WaitAsync());
        Assert.False(await _sandbox.Commands.KillAsync(cat.Pid));

        var sleeper = await _sandbox.Commands.StartAsync("sleep 0.2; echo done");
        Assert.Equal("done\n", (await sleeper.WaitAsync()).Stdout);
    }

    [Fact]
    public async Task Files_WriteRead_AllForms_AndMetadataOfEntries()
    {
        var written = await _sandbox.Files.WriteAsync("notes/deep/hello.txt", "hello");
        Assert.Equal("/home/user/notes/deep/hello.txt", written.Path);
        Assert.Equal(0x1A4, written.Mode);
        Assert.Equal("user", written.Owner);
        Assert.Equal("hello", await _sandbox.Files.ReadAsync("notes/deep/hello.txt"));

        await _sandbox.Files.WriteAsync("bytes.bin", new byte[] { 0, 1, 2, 255 });
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await _sandbox.Files.ReadBytesAsync("bytes.bin"));

        var big = new byte[8 * 1024 * 1024];
        Random.Shared.NextBytes(big);
        await _sandbox.Files.WriteAsync("big.bin", new MemoryStream(big));
        await using (var stream = await _sandbox.Files.OpenReadAsync("big.bin"))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(big, copy.ToArray());
        }

        await Assert.ThrowsAsync<SandboxFileNotFoundException>(() => _sandbox.Files.ReadAsync("missing.txt"));

        // Metadata travels with the file (keys lowercased), shows in listings, and a rewrite replaces it.
        var tagged = await _sandbox.Files.WriteAsync("tagged.txt", "x", metadata: new Dictionary<string, string> { ["Owner"] = "agent-7", ["run"] = "42" });
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "agent-7", ["run"] = "42" }, tagged.Metadata);
        Assert.Equal("agent-7", Assert.Single(await _sandbox.Files.ListAsync("."), e => e.Name == "tagged.txt").Metadata["owner"]);
        Assert.Empty((await _sandbox.Files.WriteAsync("tagged.txt", "y")).Metadata);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => _sandbox.Files.WriteAsync("tagged.txt", "z", metadata: new Dictionary<string, string> { ["big"] = new string('v', 5000) }));
        Assert.Equal("y", await _sandbox.Files.ReadAsync("tagged.txt"));
    }

    [Fact]
    public async Task Files_List_Exists_MakeDir_Rename_Remove_Watch()
    {
        Assert.True(await _sandbox.Files.MakeDirAsync("tree/sub"));
        Assert.False(await _sandbox.Files.MakeDirAsync("tree/sub"));
        await _sandbox.Files.WriteAsync("tree/a.txt", "a");
        await _sandbox.Files.WriteAsync("tree/sub/b.txt", "b");
        Assert.Equal(["a.txt", "sub"], (await _sandbox.Files.ListAsync("tree")).Select(e => e.Name));
        Assert.Equal(["a.txt", "sub", "b.txt"], (await _sandbox.Files.ListAsync("tree", depth: 2)).Select(e => e.Name));
        Assert.Equal(EntryType.Directory, (await _sandbox.Files.GetInfoAsync("tree/sub")).Type);

        var moved = await _sandbox.Files.RenameAsync("tree/a.txt", "tree/c.txt");
        Assert.Equal("/home/user/tree/c.txt", moved.Path);
        Assert.False(await _sandbox.Files.ExistsAsync("tree/a.txt"));
        await _sandbox.Files.RemoveAsync("tree/sub");
        Assert.False(await _sandbox.Files.ExistsAsync("tree/sub"));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<FilesystemEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in _sandbox.Files.WatchDirAsync("/home/user/tree", recursive: true, cancellationToken: stop.Token))
            {
                events.Add(change);

                // A rewrite of the file is CHMOD (its owner set again) before WRITE, as with envd.
                if (change.Name == "new.txt" && change.Type is "create" or "write")
                {
                    return;
                }
            }
        });
        // The watch starts in the background: writing until it reports the file shows it live without
        // guessing how long it takes to start.
        await Eventually.TrueAsync(
            async () =>
            {
                await _sandbox.Files.WriteAsync("tree/new.txt", "x");
                return watching.IsCompleted;
            },
            "the watch to report tree/new.txt");
        await watching;
        Assert.Contains(events, e => e.Name == "new.txt" && e.Type is "create" or "write");
    }

    [Fact]
    public async Task Write_IsTheDaemons_AsWithE2b_TheFileGoesToTheUser()
    {
        // envd writes as root and gives the file to the user without checking the user's permissions; so does Paddock.
        await _sandbox.Files.WriteAsync("/etc/written-by-the-sdk", "x");
        Assert.Equal("user x\n", (await _sandbox.Commands.RunAsync("stat -c %U /etc/written-by-the-sdk; cat /etc/written-by-the-sdk; echo")).Stdout.Replace("\n", " ", StringComparison.Ordinal).TrimEnd() + "\n");
    }
}
