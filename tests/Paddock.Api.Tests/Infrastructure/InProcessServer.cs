using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Templates;
using Paddock.Runtime;
using Paddock.Testing.Fakes;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests.Infrastructure;

/// <summary>
/// The server's own composition, in-process, with the runtime double in place of crun (no root, no
/// containers), a real SQLite store in a temporary directory, and a clock the tests move.
/// </summary>
public sealed class InProcessServer : WebApplicationFactory<Program>
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("paddock-api-").FullName;

    public FakeRuntime Runtime { get; } = new();

    // Each reading moves the clock a little, so sandboxes made one after another start at distinct times.
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    public ApiClient Client(string? apiKey = null) => new(CreateClient(), apiKey ?? ServerProcess.ApiKey);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Paddock:DataDir", _dataDir);
        builder.UseSetting("Paddock:ApiKey", ServerProcess.ApiKey);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<ISandboxRuntime>();
            services.AddSingleton<ISandboxRuntime>(Runtime);
            services.RemoveAll<ITemplateCatalog>();
            services.AddSingleton<ITemplateCatalog>(new FakeTemplates());
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);

            // The crun runtime's host (root, the sandbox volume, templates) is never started here.
            foreach (var runtimeHost in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory?.Method.ReturnType == typeof(RuntimeHost)).ToList())
            {
                services.Remove(runtimeHost);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
