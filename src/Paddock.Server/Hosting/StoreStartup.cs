using System.Data.Common;
using Microsoft.Extensions.Options;
using Paddock.Runtime;
using Paddock.Server.Auth;
using Paddock.Server.Configuration;
using Paddock.Storage;

namespace Paddock.Server.Hosting;

/// <summary>
/// Opens (and migrates) the store and sets up the API keys, first of all: a store that cannot be reached
/// stops the start before anything on the host (the sandbox volume, cgroups) has been touched.
/// </summary>
internal sealed class StoreStartup(ApiKeys apiKeys, ServerOptions options, IOptions<StoreOptions> store, RuntimeOptions runtime, ILogger<StoreStartup> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var where = store.Value.Describe(PaddockServerExtensions.DefaultSqlitePath(runtime));
        try
        {
            await apiKeys.InitializeAsync(options.ApiKey, cancellationToken);
        }
        catch (DbException ex)
        {
            throw new StoreUnavailableException($"Paddock could not open its store, the {where}: {ex.Message}", ex);
        }

        logger.LogInformation("Records are kept in the {Store}", where);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
