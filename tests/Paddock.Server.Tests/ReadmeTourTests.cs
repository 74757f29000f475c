using System.Net;
using System.Text.RegularExpressions;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>The README's curl tour, run as written against a live server (only the key and address differ).</summary>
[Collection(ContainersCollection.Name)]
public sealed class ReadmeTourTests(SharedServer shared)
{
    [Fact]
    public async Task Tour_WorksAsWritten()
    {
        var readme = await File.ReadAllTextAsync(FindReadme());
        var tour = Regex.Match(readme, "## A short tour\\s+```sh\\n(?<script>.*?)```", RegexOptions.Singleline).Groups["script"].Value;
        Assert.Contains("curl", tour, StringComparison.Ordinal);

        var script = tour
            .Replace("export KEY=e2b_…", $"export KEY={ServerProcess.ApiKey}", StringComparison.Ordinal)
            .Replace("API=http://127.0.0.1:3000", $"API={shared.Server.BaseAddress.ToString().TrimEnd('/')}", StringComparison.Ordinal)
            .Replace("/tmp/sandbox.json", Path.Combine(shared.Server.DataDir, "tour.json"), StringComparison.Ordinal);
        var (exitCode, output) = await Host.RunAsync("/bin/bash", "-euo", "pipefail", "-c", script);
        Assert.True(exitCode == 0, output);

        var id = Regex.Match(output, "\"sandboxID\":\"(i[a-z0-9]{20})\"").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Contains("\"state\":\"running\"", output, StringComparison.Ordinal);
        Assert.Contains("\"owner\":\"me\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"code\":", output, StringComparison.Ordinal);
        Assert.Contains("\"message\":\"Sandbox killed: killed by request\"", output, StringComparison.Ordinal);
        Assert.Contains("killed by request", (await shared.Client.GetAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Paddock.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md of the repository was not found above the test binaries");
    }
}
