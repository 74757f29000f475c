using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paddock.Core.Lifecycle;
using Paddock.Core.Logs;

namespace Paddock.Core;

/// <summary>Registers the lifecycle; a store (<c>ISandboxStore</c>, <c>ISandboxLogStore</c>) and a runtime come from their own projects.</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>Adds the lifecycle service and what it needs; every registration can be replaced before this call.</summary>
    public static IServiceCollection AddPaddockCore(this IServiceCollection services)
    {
        services.AddOptions<LifecycleOptions>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LifecycleOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunningSandboxes>();
        services.TryAddSingleton<SandboxEvents>();
        services.TryAddSingleton<SandboxLogReader>();
        services.TryAddSingleton<LifecycleService>();
        services.TryAddSingleton<DiskAccounting>();
        return services;
    }
}
