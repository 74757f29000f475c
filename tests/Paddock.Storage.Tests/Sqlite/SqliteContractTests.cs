using Paddock.Core.Storage;
using Paddock.Storage.Sqlite;
using Paddock.Testing.Contracts;

namespace Paddock.Storage.Tests.Sqlite;

/// <summary>A fresh SQLite file per test.</summary>
public sealed class SqliteDatabaseFile : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-store-").FullName;

    public string Path => System.IO.Path.Combine(_dir, "paddock.db");

    public SqliteDatabase Open() => new(Path);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

public sealed class SqliteSandboxStoreContractTests : SandboxStoreContract, IDisposable
{
    private readonly SqliteDatabaseFile _file = new();

    protected override Task<ISandboxStore> CreateStoreAsync() => Task.FromResult<ISandboxStore>(new SqliteSandboxStore(_file.Open()));

    public void Dispose() => _file.Dispose();
}

public sealed class SqliteSandboxLogStoreContractTests : SandboxLogStoreContract, IDisposable
{
    private readonly SqliteDatabaseFile _file = new();

    protected override Task<ISandboxLogStore> CreateStoreAsync() => Task.FromResult<ISandboxLogStore>(new SqliteSandboxLogStore(_file.Open()));

    public void Dispose() => _file.Dispose();
}
