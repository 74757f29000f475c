using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Paddock.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Paddock SDK in an application's services.</summary>
public static class PaddockServiceCollectionExtensions
{
    /// <summary>The name of the SDK's <see cref="HttpClient"/> in <c>IHttpClientFactory</c>, for adding handlers to it.</summary>
    public const string HttpClientName = "Paddock";

    /// <summary>
    /// Registers <see cref="ISandboxClient"/>: a typed client over <c>IHttpClientFactory</c> (named
    /// <see cref="HttpClientName"/>), logging through the application's <c>ILogger</c>s, with the settings
    /// <paramref name="configure"/> sets (what it leaves unset comes from the environment variables).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the API's address, key and timeouts.</param>
    /// <returns>The HTTP client's builder, to add handlers or resilience to it.</returns>
    public static IHttpClientBuilder AddPaddock(this IServiceCollection services, Action<PaddockClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PaddockClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddClient(services);
    }

    /// <summary>
    /// Registers <see cref="ISandboxClient"/> as <see cref="AddPaddock(IServiceCollection, Action{PaddockClientOptions}?)"/> does,
    /// with its settings bound from <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Paddock")</c>:
    /// <c>ApiUrl</c>, <c>ApiKey</c>, <c>SandboxUrl</c>, <c>Domain</c>, <c>RequestTimeout</c>).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The section holding the settings.</param>
    /// <returns>The HTTP client's builder, to add handlers or resilience to it.</returns>
    public static IHttpClientBuilder AddPaddock(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PaddockClientOptions>().Bind(configuration);
        return AddClient(services);
    }

    private static IHttpClientBuilder AddClient(IServiceCollection services)
    {
        var builder = services.AddHttpClient<ISandboxClient, SandboxClient>(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
        services.TryAddTransient<SandboxClient>(sp => (SandboxClient)sp.GetRequiredService<ISandboxClient>());
        return builder;
    }
}
