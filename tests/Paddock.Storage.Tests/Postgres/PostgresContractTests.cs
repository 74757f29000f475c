using Paddock.Core.Storage;
using Paddock.Storage.Postgres;
using Paddock.Testing.Contracts;
using Paddock.Testing.Servers;

namespace Paddock.Storage.Tests.Postgres;

/// <summary>One real PostgreSQL server for the store tests; every store gets a database of its own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSandboxStoreContractTests(PostgresFixture postgres) : SandboxStoreContract
{
    private PostgresDatabase? _database;

    protected override async Task<ISandboxStore> CreateStoreAsync() =>
        new PostgresSandboxStore(_database = new PostgresDatabase(await postgres.Server.CreateDatabaseAsync()));

    protected override async Task DisposeStoreAsync() => await _database!.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSandboxLogStoreContractTests(PostgresFixture postgres) : SandboxLogStoreContract
{
    private PostgresDatabase? _database;

    protected override async Task<ISandboxLogStore> CreateStoreAsync() =>
        new PostgresSandboxLogStore(_database = new PostgresDatabase(await postgres.Server.CreateDatabaseAsync()));

    protected override async Task DisposeStoreAsync() => await _database!.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDatabaseTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ServersStartingTogether_MigrateOnce_AndShareTheRecords()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await using var first = new PostgresDatabase(connectionString);
        await using var second = new PostgresDatabase(connectionString);
        var keys = await Task.WhenAll(
            Task.Run(async () => { await new PostgresApiKeyStore(first, TimeProvider.System).AddHashAsync("h1", "first", default); return 1; }),
            Task.Run(async () => { await new PostgresApiKeyStore(second, TimeProvider.System).AddHashAsync("h1", "again", default); return 2; }));
        Assert.Equal([1, 2], keys);
        Assert.Equal(["h1"], await new PostgresApiKeyStore(second, TimeProvider.System).ListHashesAsync(default));
    }
}
