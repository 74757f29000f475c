using Microsoft.Extensions.Options;
using Paddock.Server.Api;
using Paddock.Server.Configuration;
using Paddock.Server.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
((IConfigurationBuilder)builder.Configuration).Add(new PaddockEnvironmentVariables());
builder.Configuration.AddCommandLine(args, PaddockEnvironmentVariables.SwitchMappings);

if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
{
    builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(builder.Configuration["Paddock:TlsCert"])
        ? [ServerOptions.DefaultUrl]
        : [ServerOptions.DefaultUrl, ServerOptions.DefaultHttpsUrl]);
}

builder.WebHost.ConfigureKestrel(kestrel =>
{
    // API bodies are small JSON; sandbox traffic (uploads) lifts this per request in the proxy.
    kestrel.Limits.MaxRequestBodySize = InputLimits.MaxRequestBodyBytes;

    // Every https:// address presents the configured certificate (validated before the server starts). Bad
    // settings are left to the check after Build, which reports all of them in one message: Build itself
    // asks for these options, and their exception would otherwise end the process with a stack trace.
    ServerOptions options;
    try
    {
        options = kestrel.ApplicationServices.GetRequiredService<ServerOptions>();
    }
    catch (OptionsValidationException)
    {
        return;
    }

    if (options is { TlsCert: { } certificate, TlsKey: { } key })
    {
        var source = new ServerCertificateSource(
            certificate, key, TimeProvider.System, kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Paddock.Server.Tls"));
        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = source.Current.Leaf;
            https.ServerCertificateChain = source.Current.Intermediates;
            // Each handshake presents the pair as its files are now (renewed in place without a restart).
            https.OnAuthenticate = (_, authentication) => authentication.ServerCertificateContext = source.Context;
        });
    }
});
builder.Services.AddPaddockServer(builder.Configuration);

var app = builder.Build();

// Every bad setting of every options class, in one message, before anything starts.
if (PaddockServerExtensions.InvalidSettings(app.Services) is { Count: > 0 } failures)
{
    Console.Error.WriteLine("Invalid Paddock configuration:\n  " + string.Join("\n  ", failures));
    return 2;
}

app.UsePaddockServer();
try
{
    await app.RunAsync();
}
catch (StoreUnavailableException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

return 0;

/// <summary>The server's entry point (public so in-process tests can host it).</summary>
public partial class Program;
