using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Paddock.Agent.Tests;

/// <summary>
/// The code interpreter's <c>/contexts</c> on the agent's loopback port. Kernels themselves need a sandbox's
/// template (tests/e2b-compat runs them); these only list, create and remove contexts, which starts no kernel.
/// </summary>
public class CodeContextsTests
{
    [Fact]
    public async Task DefaultContexts_AreListedBeforeFirstUse_ThenCreatedOnesInTheOrderTheyWereMade()
    {
        await using var agent = await AgentProcess.StartAsync("""{"defaultUser":"root","defaultWorkdir":"/tmp"}""");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{agent.InterpreterPort}") };

        // E2B's server lists python's and javascript's default contexts from the start; here, those of the two
        // whose kernels this machine can run (node is a prerequisite of the test suite, ipykernel may be absent).
        var defaults = await ListAsync(http);
        Assert.Contains("javascript", defaults.Select(c => c.Language));
        Assert.Equal(new[] { "python", "javascript" }.Where(l => defaults.Any(c => c.Language == l)), defaults.Select(c => c.Language));
        Assert.All(defaults, c => Assert.Equal("/tmp", c.Cwd));

        var created = new List<Context>();
        foreach (var cwd in new[] { "/", "/root", "/tmp" })
        {
            using var response = await http.PostAsJsonAsync("/contexts", new { language = "bash", cwd });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            created.Add((await response.Content.ReadFromJsonAsync<Context>(s_json))!);
        }

        Assert.Equal([.. defaults, .. created], await ListAsync(http));

        using var removed = await http.DeleteAsync($"/contexts/{created[1].Id}");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal([.. defaults, created[0], created[2]], await ListAsync(http));
    }

    [Fact]
    public async Task UnknownLanguage_Is400_NamingTheLanguagesThereAre()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{agent.InterpreterPort}") };

        using var response = await http.PostAsJsonAsync("/contexts", new { language = "cobol" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("No kernel for language 'cobol' in this sandbox; available: ", text, StringComparison.Ordinal);
        Assert.Contains("bash", text, StringComparison.Ordinal);
    }

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static async Task<List<Context>> ListAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<List<Context>>("/contexts", s_json))!;

    private sealed record Context(string Id, string Language, string Cwd);
}
