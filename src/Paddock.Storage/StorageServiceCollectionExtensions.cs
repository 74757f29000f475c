using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paddock.Core.Storage;
using Paddock.Storage.Postgres;
using Paddock.Storage.Sqlite;

namespace Paddock.Storage;

/// <summary>Registers Paddock's stores.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds both stores and serves the one <see cref="StoreOptions.Provider"/> names as the
    /// <see cref="ISandboxStore"/>, <see cref="ISandboxLogStore"/> and <see cref="IApiKeyStore"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="defaultSqlitePath">Where the SQLite file goes when no connection string names one.</param>
    public static IServiceCollection AddPaddockStore(this IServiceCollection services, Func<IServiceProvider, string> defaultSqlitePath)
    {
        services.AddOptions<StoreOptions>();
        services.AddSqliteStore(defaultSqlitePath);
        services.AddPostgresStore();
        services.TryAddSingleton<ISandboxStore>(sp => Chosen<ISandboxStore, SqliteSandboxStore, PostgresSandboxStore>(sp));
        services.TryAddSingleton<ISandboxLogStore>(sp => Chosen<ISandboxLogStore, SqliteSandboxLogStore, PostgresSandboxLogStore>(sp));
        services.TryAddSingleton<IApiKeyStore>(sp => Chosen<IApiKeyStore, SqliteApiKeyStore, PostgresApiKeyStore>(sp));
        return services;
    }

    /// <summary>Adds the SQLite stores (the embedded default), over one database file.</summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, Func<IServiceProvider, string> defaultPath)
    {
        services.TryAddSingleton(sp => new SqliteDatabase(sp.GetRequiredService<IOptions<StoreOptions>>().Value.ConnectionString is { Length: > 0 } path
            ? path
            : defaultPath(sp)));
        services.TryAddSingleton<SqliteSandboxStore>();
        services.TryAddSingleton<SqliteSandboxLogStore>();
        services.TryAddSingleton<SqliteApiKeyStore>();
        return services;
    }

    /// <summary>Adds the PostgreSQL stores, over <see cref="StoreOptions.ConnectionString"/>.</summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new PostgresDatabase(sp.GetRequiredService<IOptions<StoreOptions>>().Value.ConnectionString
            ?? throw new InvalidOperationException("the postgres store needs Store:ConnectionString")));
        services.TryAddSingleton<PostgresSandboxStore>();
        services.TryAddSingleton<PostgresSandboxLogStore>();
        services.TryAddSingleton<PostgresApiKeyStore>();
        return services;
    }

    private static TService Chosen<TService, TSqlite, TPostgres>(IServiceProvider services)
        where TSqlite : TService
        where TPostgres : TService
        where TService : notnull =>
        services.GetRequiredService<IOptions<StoreOptions>>().Value.Provider == StoreOptions.Postgres
            ? services.GetRequiredService<TPostgres>()
            : services.GetRequiredService<TSqlite>();
}
