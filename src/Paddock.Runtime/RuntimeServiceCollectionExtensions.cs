using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Templates;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;
using Paddock.Runtime.Network;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime;

/// <summary>Registers the crun runtime and the template catalog.</summary>
public static class RuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="CrunRuntime"/> as the <see cref="ISandboxRuntime"/>, the template catalog, and
    /// <see cref="RuntimeHost"/> as a hosted service that prepares the host before anything else starts.
    /// Settings come from <see cref="RuntimeOptions"/>.
    /// </summary>
    public static IServiceCollection AddCrunRuntime(this IServiceCollection services)
    {
        services.AddOptions<RuntimeOptions>();
        services.AddOptions<NetworkOptions>();
        services.TryAddSingleton(sp => new SandboxNetworking(
            sp.GetRequiredService<IOptions<NetworkOptions>>().Value,
            sp.GetRequiredService<RuntimeOptions>().DataDir,
            sp.GetRequiredService<ILogger<SandboxNetworking>>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RuntimeOptions>>().Value);
        services.TryAddSingleton(sp => new HostSetup(sp.GetRequiredService<RuntimeOptions>()));
        services.TryAddSingleton(sp => new SandboxVolume(sp.GetRequiredService<RuntimeOptions>()));
        services.TryAddSingleton(sp => new HostIdSlots(sp.GetRequiredService<RuntimeOptions>()));
        services.TryAddSingleton(sp => new TemplateBuilder(sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<ILogger<TemplateBuilder>>()));
        services.TryAddSingleton(sp => new TemplateCatalog(sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<TemplateBuilder>()));
        services.TryAddSingleton<ITemplateCatalog>(sp => sp.GetRequiredService<TemplateCatalog>());
        services.TryAddSingleton(sp => new CrunRuntime(
            sp.GetRequiredService<RuntimeOptions>(),
            sp.GetRequiredService<TemplateCatalog>(),
            sp.GetRequiredService<HostSetup>(),
            sp.GetRequiredService<SandboxVolume>(),
            sp.GetRequiredService<HostIdSlots>(),
            sp.GetRequiredService<SandboxNetworking>(),
            sp.GetRequiredService<ILogger<CrunRuntime>>()));
        services.TryAddSingleton<ISandboxRuntime>(sp => sp.GetRequiredService<CrunRuntime>());
        services.TryAddSingleton(sp => new RuntimeHost(
            sp.GetRequiredService<HostSetup>(),
            sp.GetRequiredService<SandboxVolume>(),
            sp.GetRequiredService<HostIdSlots>(),
            sp.GetRequiredService<CrunRuntime>(),
            sp.GetRequiredService<TemplateCatalog>(),
            sp.GetRequiredService<RuntimeOptions>(),
            sp.GetRequiredService<SandboxNetworking>(),
            sp.GetRequiredService<ILogger<RuntimeHost>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeHost>());
        return services;
    }
}
