using Microsoft.Extensions.Configuration;
using Paddock.Server.Configuration;

namespace Paddock.Server.Tests;

public class ConfigurationTests
{
    [Theory]
    [InlineData("PADDOCK_DATA_DIR", "Paddock:DataDir")]
    [InlineData("PADDOCK_API_KEY", "Paddock:ApiKey")]
    [InlineData("PADDOCK_MEMORY_MB", "Paddock:MemoryMB")]
    [InlineData("PADDOCK_PAUSED_RETENTION", "Paddock:PausedRetention")]
    [InlineData("PADDOCK_CRUN_ROOT", "Paddock:CrunRoot")]
    [InlineData("PADDOCK_", null)]
    [InlineData("OTHER_DATA_DIR", null)]
    public void EnvironmentVariable_MapsToSetting(string variable, string? expected) =>
        Assert.Equal(expected, PaddockEnvironmentVariables.KeyOf(variable));

    [Fact]
    public void Settings_HaveWorkingDefaults()
    {
        var settings = PaddockSettings.Load(new ConfigurationBuilder().Build());
        Assert.Equal("/var/lib/paddock", settings.DataDir);
        Assert.Equal(TimeSpan.FromHours(24), settings.Lifecycle.MaxLifetime);
        Assert.Equal(TimeSpan.FromDays(30), settings.Lifecycle.PausedRetention);
        Assert.Equal(2, settings.Lifecycle.CpuCount);
        Assert.Equal(512, settings.Lifecycle.MemoryMB);
        Assert.Null(settings.ApiKey);
    }

    [Fact]
    public void Settings_ReportEveryBadValue_AtOnce()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Paddock:MaxLifetime"] = "forever",
            ["Paddock:MemoryMB"] = "lots",
            ["Paddock:CpuCount"] = "0",
        }).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => PaddockSettings.Load(configuration));
        Assert.Contains("MaxLifetime", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MemoryMB", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CpuCount", ex.Message, StringComparison.Ordinal);
    }
}
