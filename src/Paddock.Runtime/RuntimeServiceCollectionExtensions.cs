using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Paddock.Core.Runtime;
using Paddock.Core.Templates;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime;

/// <summary>Registers the crun runtime and the template catalog.</summary>
public static class RuntimeServiceCollectionExtensions
{
    /// <summary>Adds <see cref="CrunRuntime"/> as the <see cref="ISandboxRuntime"/> and the template catalog.</summary>
    public static IServiceCollection AddCrunRuntime(this IServiceCollection services, RuntimeOptions options)
    {
        services.TryAddSingleton(options);
        services.TryAddSingleton<HostSetup>();
        services.TryAddSingleton(new SandboxVolume(options));
        services.TryAddSingleton(new HostIdSlots(options));
        services.TryAddSingleton<TemplateBuilder>();
        services.TryAddSingleton(sp => new TemplateCatalog(options, sp.GetRequiredService<TemplateBuilder>()));
        services.TryAddSingleton<ITemplateCatalog>(sp => sp.GetRequiredService<TemplateCatalog>());
        services.TryAddSingleton(sp => new CrunRuntime(
            options,
            sp.GetRequiredService<TemplateCatalog>(),
            sp.GetRequiredService<HostSetup>(),
            sp.GetRequiredService<SandboxVolume>(),
            sp.GetRequiredService<HostIdSlots>(),
            sp.GetRequiredService<ILogger<CrunRuntime>>()));
        services.TryAddSingleton<ISandboxRuntime>(sp => sp.GetRequiredService<CrunRuntime>());
        services.TryAddSingleton(sp => new RuntimeHost(
            sp.GetRequiredService<HostSetup>(),
            sp.GetRequiredService<SandboxVolume>(),
            sp.GetRequiredService<HostIdSlots>(),
            sp.GetRequiredService<CrunRuntime>(),
            sp.GetRequiredService<TemplateCatalog>(),
            options));
        return services;
    }
}
