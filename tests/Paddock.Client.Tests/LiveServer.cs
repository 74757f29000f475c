using Paddock.Testing.Servers;

namespace Paddock.Client.Tests;

/// <summary>One real server for the SDK tests, and the SDK's connection options for it.</summary>
public sealed class LiveServer : IAsyncLifetime
{
    internal ServerProcess Server { get; } = new();

    public ConnectionOptions Connection { get; private set; } = null!;

    public SandboxOptions Options(TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        new() { Connection = Connection, Timeout = timeout ?? TimeSpan.FromMinutes(5), Metadata = metadata };

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        Connection = new ConnectionOptions { ApiUrl = Server.BaseAddress, ApiKey = ServerProcess.ApiKey };

        // The first create builds the base template if this machine has never built it (a few minutes).
        await using var warm = await Sandbox.CreateAsync(new SandboxOptions { Connection = Connection with { RequestTimeout = TimeSpan.FromMinutes(15) } });
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SdkCollection : ICollectionFixture<LiveServer>
{
    public const string Name = "sdk";
}
