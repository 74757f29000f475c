namespace Paddock.Testing.Servers;

/// <summary>
/// The tests' own "internet" (tests/internet/internet.sh): a network namespace with web servers, a DNS
/// server and decoys on blocked addresses, joined to the host by the uplink a server under test is pointed
/// at, so no sandbox traffic ever leaves the machine.
/// </summary>
public sealed class TestInternet : IAsyncDisposable
{
    private readonly string _script;

    private TestInternet(string script, string directory, Dictionary<string, string> settings)
    {
        _script = script;
        Directory = directory;
        Settings = settings;
    }

    /// <summary>Where its CA certificate (<c>ca.pem</c>) is.</summary>
    public string Directory { get; }

    /// <summary>The server settings that send sandbox traffic into it (uplink, gateway, resolver).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    public static async Task<TestInternet> StartAsync()
    {
        var script = Path.Combine(RepoRoot(), "tests", "internet", "internet.sh");
        var directory = Path.Combine(Path.GetTempPath(), "paddock-inet-" + Guid.NewGuid().ToString("N")[..8]);
        var (exitCode, output) = await Host.RunAsync(script, "up", directory);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"the test internet did not start: {output}");
        }

        var settings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("PADDOCK_", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        return new TestInternet(script, directory, settings);
    }

    /// <summary>A server environment with networking on, into this internet, with addresses from <paramref name="pool"/>.</summary>
    public Dictionary<string, string> ServerEnvironment(string pool)
    {
        var environment = new Dictionary<string, string>(Settings)
        {
            ["PADDOCK_NETWORK_ENABLED"] = "true",
            ["PADDOCK_NETWORK_ADDRESS_POOL"] = pool,
        };
        return environment;
    }

    public async ValueTask DisposeAsync() => await Host.RunAsync(_script, "down", Directory);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Paddock.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root was not found above " + AppContext.BaseDirectory);
    }
}
