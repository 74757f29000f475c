using Paddock.Core.Lifecycle;
using Paddock.Core.Logs;
using Paddock.Core.Storage;
using Paddock.Runtime;
using Paddock.Server.Api;
using Paddock.Server.Auth;
using Paddock.Server.Configuration;
using Paddock.Server.Hosting;
using Paddock.Server.Proxy;
using Paddock.Storage.Sqlite;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
((IConfigurationBuilder)builder.Configuration).Add(new PaddockEnvironmentVariables());
builder.Configuration.AddCommandLine(args, PaddockSettings.SwitchMappings);

PaddockSettings settings;
try
{
    settings = PaddockSettings.Load(builder.Configuration);
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

// API bodies are small JSON; sandbox traffic (uploads) lifts this per request in the proxy.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = InputLimits.MaxRequestBodyBytes);

if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
{
    builder.WebHost.UseUrls(PaddockSettings.DefaultUrl);
}

Directory.CreateDirectory(settings.DataDir);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(settings.Lifecycle);
builder.Services.AddSingleton(new SqliteDatabase(settings.DatabasePath));
builder.Services.AddSingleton<ISandboxStore, SqliteSandboxStore>();
builder.Services.AddSingleton<IApiKeyStore, SqliteApiKeyStore>();
builder.Services.AddSingleton<ISandboxLogStore, SqliteSandboxLogStore>();
builder.Services.AddSingleton<SandboxEvents>();
builder.Services.AddSingleton<SandboxLogReader>();
builder.Services.AddCrunRuntime(settings.Runtime);
builder.Services.AddSingleton<RunningSandboxes>();
builder.Services.AddSingleton<LifecycleService>();
builder.Services.AddSingleton<ApiKeys>();
builder.Services.AddHostedService<PaddockStartup>();
builder.Services.AddHttpForwarder();
builder.Services.AddSingleton<SandboxTransport>();

var app = builder.Build();

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

await app.RunAsync();
return 0;
