using System.Diagnostics;
using System.Text;
using Paddock.Testing.Servers;

namespace Paddock.Cli.Tests;

/// <summary>One real server for all the CLI tests, and the CLI run against it as a process.</summary>
public sealed class CliServer : IAsyncLifetime
{
    internal ServerProcess Server { get; } = new();

    /// <summary>The CLI as the tests run it: <c>dotnet paddock.dll</c>.</summary>
    internal static string Dll => Path.Combine(AppContext.BaseDirectory, "paddock.dll");

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        using var api = Server.Client();
        await api.DeleteAsync($"/sandboxes/{await api.CreateAsync()}");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    internal Task<CliResult> PaddockAsync(params string[] args) => RunAsync(args);

    /// <summary>
    /// Runs the CLI to its end. Its stdin is <paramref name="stdin"/>, then end of file (never the test runner's);
    /// <paramref name="seen"/> gets each line of stdout as it comes, for a test that acts on what was printed so far;
    /// <paramref name="environment"/> adds or, with null values, removes variables.
    /// </summary>
    internal async Task<CliResult> RunAsync(
        string[] args, string key = ServerProcess.ApiKey, byte[]? stdin = null, List<string>? seen = null, Dictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PADDOCK_API_URL"] = Server.BaseAddress.ToString();
        info.Environment["PADDOCK_API_KEY"] = key;
        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = seen is null ? process.StandardOutput.ReadToEndAsync() : ReadLinesAsync(process.StandardOutput, seen);
        var stderr = process.StandardError.ReadToEndAsync();
        var input = WriteAndCloseAsync(process.StandardInput, stdin);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await input;
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static async Task WriteAndCloseAsync(StreamWriter stdin, byte[]? data)
    {
        try
        {
            if (data is not null)
            {
                await stdin.BaseStream.WriteAsync(data);
            }

            stdin.Close();
        }
        catch (IOException)
        {
            // The CLI ended without reading all of it, as `yes | head -1` does: not the test's concern.
        }
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, List<string> seen)
    {
        var all = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            all.Append(line).Append('\n');
            lock (seen)
            {
                seen.Add(line);
            }
        }

        return all.ToString();
    }
}

/// <summary>How a run of the CLI ended.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>The CLI test classes share one server (starting one takes seconds) and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliServer>
{
    public const string Name = "cli";
}
