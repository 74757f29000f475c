using Microsoft.Extensions.Options;
using Paddock.Core;
using Paddock.Core.Lifecycle;
using Paddock.Runtime;
using Paddock.Runtime.Network;
using Paddock.Server.Api;
using Paddock.Server.Auth;
using Paddock.Server.Configuration;
using Paddock.Server.Proxy;
using Paddock.Storage;

namespace Paddock.Server.Hosting;

/// <summary>The server's composition: its options, the lifecycle, the store, the runtime, the API and the proxy.</summary>
internal static class PaddockServerExtensions
{
    /// <summary>The configuration section every Paddock setting lives in.</summary>
    public const string Section = "Paddock";

    /// <summary>
    /// Registers everything a server needs. Options are bound from <paramref name="configuration"/> when first
    /// used and validated all together when the server starts, so one start reports every bad setting.
    /// </summary>
    public static IServiceCollection AddPaddockServer(this IServiceCollection services, IConfiguration configuration)
    {
        AddOptions<ServerOptions>(services, configuration, Section, o => o.Validate());
        AddOptions<LifecycleOptions>(services, configuration, Section, o => o.Validate());
        AddOptions<RuntimeOptions>(services, configuration, Section, o => o.Validate());
        AddOptions<StoreOptions>(services, configuration, Section + ":Store", o => o.Validate());
        AddOptions<NetworkOptions>(services, configuration, Section + ":Network", o => o.Validate());
        services.PostConfigure<RuntimeOptions>(o => o.Normalize());
        services.PostConfigure<ServerOptions>(o => o.Normalize());

        // Hosted services start in this order: the store (nothing on the host is touched when it cannot be
        // opened), then the runtime (the host must be ready before the lifecycle), then the lifecycle.
        services.AddHostedService<StoreStartup>();
        services.AddCrunRuntime();
        services.AddPaddockStore(sp => DefaultSqlitePath(sp.GetRequiredService<RuntimeOptions>()));
        services.AddPaddockCore();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value);
        services.AddSingleton<ApiKeys>();
        services.AddHostedService<PaddockStartup>();
        services.AddHttpForwarder();
        services.AddSingleton<SandboxTransport>();
        return services;
    }

    /// <summary>The embedded store's file when <c>Store:ConnectionString</c> names none.</summary>
    public static string DefaultSqlitePath(RuntimeOptions runtime) => Path.Combine(runtime.DataDir, "paddock.db");

    /// <summary>Every bad setting of every options class (empty when all are good), to report before anything starts.</summary>
    public static List<string> InvalidSettings(IServiceProvider services)
    {
        var failures = new List<string>();
        Check<ServerOptions>(services, failures);
        Check<LifecycleOptions>(services, failures);
        Check<RuntimeOptions>(services, failures);
        Check<StoreOptions>(services, failures);
        Check<NetworkOptions>(services, failures);
        return failures;
    }

    /// <summary>The request pipeline: sandbox traffic first, then the API behind its errors, status pages and keys.</summary>
    public static WebApplication UsePaddockServer(this WebApplication app)
    {
        // Sandbox traffic first: it is answered by the sandbox (or E2B's 502 bodies), never by the API.
        app.UseMiddleware<SandboxProxyMiddleware>();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseStatusCodePages(context => ApiError.WriteAsync(
            context.HttpContext,
            context.HttpContext.Response.StatusCode,
            context.HttpContext.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => $"no such endpoint: {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}",
                StatusCodes.Status405MethodNotAllowed => $"method {context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}",
                var status => $"request failed with status {status}",
            }));
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapPaddockApi();
        return app;
    }

    private static void Check<TOptions>(IServiceProvider services, List<string> failures)
        where TOptions : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            failures.AddRange(ex.Failures);
        }
    }

    private static void AddOptions<TOptions>(IServiceCollection services, IConfiguration configuration, string section, Func<TOptions, IEnumerable<string>> rules)
        where TOptions : class
    {
        var setup = new PaddockOptionsSetup<TOptions>(configuration, section, rules);
        services.AddSingleton<IConfigureOptions<TOptions>>(setup);
        services.AddSingleton<IValidateOptions<TOptions>>(setup);
        services.AddOptions<TOptions>().ValidateOnStart();
    }
}
