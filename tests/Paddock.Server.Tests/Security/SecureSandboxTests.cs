using System.Net;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Security;

/// <summary>A secure sandbox answers only its access token's holder, on every port, and its set-up is the host's alone.</summary>
[Collection(ContainersCollection.Name)]
public sealed class SecureSandboxTests(SharedServer shared)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Init_FromInside_IsRefused_AndTheOwnerKeepsTheSandbox(bool asUser)
    {
        var sandbox = await SecureSandbox.CreateAsync(shared.Client);
        try
        {
            var takeover = "curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:49983/init -H 'Content-Type: application/json' "
                + "-d '{\"accessToken\":\"stolen\",\"defaultUser\":\"root\",\"envVars\":{\"EVIL\":\"1\"}}'";
            Assert.StartsWith("403", await shared.Shell.ExecAsync(sandbox.Id, takeover, asUser), StringComparison.Ordinal);

            // The owner's token still works, the stolen one does not, and nothing was changed.
            var envs = (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49983, "/envs", sandbox.Token)).AssertStatus(HttpStatusCode.OK).Json;
            Assert.False(envs.TryGetProperty("EVIL", out _));
            (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49983, "/envs", "stolen")).AssertError(HttpStatusCode.Unauthorized);
            var whoami = await AgentCommand.RunAsync(shared.Server.BaseAddress, sandbox.Id, sandbox.Token, "whoami");
            Assert.Equal((0, "user"), (whoami.ExitCode, whoami.Output.Trim()));

            // The proxy never forwards it either.
            (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49983, "/init", sandbox.Token, "POST", "{}")).AssertError(HttpStatusCode.Forbidden);
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{sandbox.Id}");
        }
    }

    [Fact]
    public async Task TheCodeInterpreter_RunsCodeOnlyForTheTokensHolder()
    {
        var sandbox = await SecureSandbox.CreateAsync(shared.Client);
        try
        {
            const string Code = "{\"code\": \"print(6 * 7)\"}";
            (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49999, "/execute", null, "POST", Code)).AssertError(HttpStatusCode.Unauthorized);
            (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49999, "/execute", "0123456789abcdef", "POST", Code)).AssertError(HttpStatusCode.Unauthorized);

            // A wrong token is refused on the context endpoints too (E2B's SDK sends none there, so none is needed).
            (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49999, "/contexts", "0123456789abcdef")).AssertError(HttpStatusCode.Unauthorized);

            var run = (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49999, "/execute", sandbox.Token, "POST", Code)).AssertStatus(HttpStatusCode.OK);
            Assert.Contains("42", run.Text, StringComparison.Ordinal);

            // And the agent's own port, as envd.
            (await SecureSandbox.RequestAsync(shared.Client, sandbox.Id, 49983, "/envs")).AssertError(HttpStatusCode.Unauthorized);
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{sandbox.Id}");
        }
    }

    [Fact]
    public async Task AnInsecureSandbox_RunsCodeWithoutAToken()
    {
        var id = (await shared.Client.PostAsync("/sandboxes", new { templateID = "base", secure = false })).AssertStatus(HttpStatusCode.Created)
            .Json.GetProperty("sandboxID").GetString()!;
        try
        {
            var run = (await SecureSandbox.RequestAsync(shared.Client, id, 49999, "/execute", null, "POST", "{\"code\": \"print(6 * 7)\"}")).AssertStatus(HttpStatusCode.OK);
            Assert.Contains("42", run.Text, StringComparison.Ordinal);
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{id}");
        }
    }
}
