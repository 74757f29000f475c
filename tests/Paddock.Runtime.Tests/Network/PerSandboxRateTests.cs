using System.Net;
using Paddock.Runtime.Network;

namespace Paddock.Runtime.Tests.Network;

/// <summary>The resolver relay's per-sandbox rate: a burst, then the refill rate, each sandbox on its own.</summary>
public sealed class PerSandboxRateTests
{
    private static readonly IPAddress s_one = IPAddress.Parse("10.88.0.2");
    private static readonly IPAddress s_other = IPAddress.Parse("10.88.0.3");

    [Fact]
    public void ABurst_ThenTheRefillRate_PerSandbox()
    {
        var clock = new ManualClock();
        var rate = new PerSandboxRate(perSecond: 10, burst: 20, clock);

        Assert.Equal(20, Enumerable.Range(0, 50).Count(_ => rate.TryTake(s_one)));
        Assert.True(rate.TryTake(s_other), "one sandbox's use is not another's");

        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(5, Enumerable.Range(0, 50).Count(_ => rate.TryTake(s_one)));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(20, Enumerable.Range(0, 50).Count(_ => rate.TryTake(s_one)));
    }

    [Fact]
    public void AForgottenAddress_StartsWithAFullBucket()
    {
        var clock = new ManualClock();
        var rate = new PerSandboxRate(perSecond: 1, burst: 3, clock);
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => rate.TryTake(s_one)));

        rate.Forget(s_one);
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => rate.TryTake(s_one)));
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
