using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Infrastructure;

/// <summary>One server for the tests that do not restart it. Its first create waits for the base template.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    /// <summary>The domain of host-routed sandbox traffic in these tests.</summary>
    public const string Domain = "paddock.test";

    internal ServerProcess Server { get; } = new(environment: new() { ["PADDOCK_DOMAIN"] = Domain });

    internal ApiClient Client { get; private set; } = null!;

    internal SandboxShell Shell { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        Client = Server.Client();
        Shell = new SandboxShell(Server);

        // The first create builds the base template if this machine has never built it (a few minutes).
        var id = await Client.CreateAsync();
        await Client.DeleteAsync($"/sandboxes/{id}");
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ContainersCollection : ICollectionFixture<SharedServer>
{
    public const string Name = "containers";
}
