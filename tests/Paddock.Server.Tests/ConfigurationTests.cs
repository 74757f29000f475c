using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paddock.Core.Lifecycle;
using Paddock.Runtime;
using Paddock.Server.Configuration;
using Paddock.Server.Hosting;
using Paddock.Storage;

namespace Paddock.Server.Tests;

public class ConfigurationTests
{
    [Theory]
    [InlineData("PADDOCK_DATA_DIR", "Paddock:DataDir")]
    [InlineData("PADDOCK_API_KEY", "Paddock:ApiKey")]
    [InlineData("PADDOCK_MEMORY_MB", "Paddock:MemoryMB")]
    [InlineData("PADDOCK_PAUSED_RETENTION", "Paddock:PausedRetention")]
    [InlineData("PADDOCK_CRUN_ROOT", "Paddock:CrunRoot")]
    [InlineData("PADDOCK_STORE_PROVIDER", "Paddock:Store:Provider")]
    [InlineData("PADDOCK_STORE_CONNECTION_STRING", "Paddock:Store:ConnectionString")]
    [InlineData("PADDOCK_", null)]
    [InlineData("OTHER_DATA_DIR", null)]
    public void EnvironmentVariable_MapsToSetting(string variable, string? expected) =>
        Assert.Equal(expected, PaddockEnvironmentVariables.KeyOf(variable));

    [Fact]
    public void Settings_HaveWorkingDefaults()
    {
        using var services = Services([]);
        Assert.Equal("/var/lib/paddock", services.GetRequiredService<IOptions<RuntimeOptions>>().Value.DataDir);
        var lifecycle = services.GetRequiredService<IOptions<LifecycleOptions>>().Value;
        Assert.Equal((TimeSpan.FromHours(24), TimeSpan.FromDays(30), 2, 512, 10240), (lifecycle.MaxLifetime, lifecycle.PausedRetention, lifecycle.CpuCount, lifecycle.MemoryMB, lifecycle.DiskSizeMB));
        Assert.Null(services.GetRequiredService<IOptions<ServerOptions>>().Value.ApiKey);
        Assert.Equal(StoreOptions.Sqlite, services.GetRequiredService<IOptions<StoreOptions>>().Value.Provider);
    }

    [Fact]
    public void Settings_AreBoundOnce_FromConfiguration()
    {
        using var services = Services(new()
        {
            ["Paddock:DataDir"] = "/srv/paddock",
            ["Paddock:MaxLifetime"] = "01:00:00",
            ["Paddock:Domain"] = ".Sandboxes.Example.",
            ["Paddock:Store:Provider"] = "postgres",
            ["Paddock:Store:ConnectionString"] = "Host=db",
        });
        Assert.Equal("/srv/paddock", services.GetRequiredService<IOptions<RuntimeOptions>>().Value.DataDir);
        Assert.Equal(TimeSpan.FromHours(1), services.GetRequiredService<LifecycleOptions>().MaxLifetime);
        Assert.Equal("sandboxes.example", services.GetRequiredService<IOptions<ServerOptions>>().Value.Domain);
        Assert.Equal("Host=db", services.GetRequiredService<IOptions<StoreOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void Settings_ReportEveryBadValue_AtOnce()
    {
        using var services = Services(new()
        {
            ["Paddock:MaxLifetime"] = "forever",
            ["Paddock:MemoryMB"] = "lots",
            ["Paddock:CpuCount"] = "0",
        });
        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LifecycleOptions>>().Value);
        var failures = string.Join('\n', ex.Failures);
        Assert.Contains("MaxLifetime must be a duration", failures, StringComparison.Ordinal);
        Assert.Contains("MemoryMB must be an integer", failures, StringComparison.Ordinal);
        Assert.Contains("CpuCount must be at least 1", failures, StringComparison.Ordinal);

        using var store = Services(new() { ["Paddock:Store:Provider"] = "postgres" });
        Assert.Contains("Store:ConnectionString", Assert.Throws<OptionsValidationException>(() => store.GetRequiredService<IOptions<StoreOptions>>().Value).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_WithBadSettings_ExitsWithEveryProblemInOneMessage_NotAStackTrace()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Paddock.Server.dll"));
        info.Environment["PADDOCK_API_KEY"] = "not-a-key";
        info.Environment["PADDOCK_CPU_COUNT"] = "0";
        info.Environment["PADDOCK_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "paddock-never-made");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith("Invalid Paddock configuration:", error, StringComparison.Ordinal);
        Assert.Contains("ApiKey (PADDOCK_API_KEY) must be 'e2b_' followed by 40 lowercase hex characters", error, StringComparison.Ordinal);
        Assert.Contains("CpuCount must be at least 1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + await output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(info.Environment["PADDOCK_DATA_DIR"]));
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddPaddockServer(configuration).BuildServiceProvider();
    }
}
