using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Lifecycle;

namespace Paddock.Core.Tests.Lifecycle;

public class TimeoutSchedulerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly List<string> _fired = [];

    private TimeoutScheduler NewScheduler() => new(_time, id =>
    {
        lock (_fired)
        {
            _fired.Add(id);
        }

        return Task.CompletedTask;
    });

    [Fact]
    public void Schedule_FiresAtDeadline_NotBefore()
    {
        using var scheduler = NewScheduler();
        scheduler.Schedule("a", _time.GetUtcNow().AddSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Empty(_fired);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(["a"], _fired);
        Assert.Equal(0, scheduler.Count);
    }

    [Fact]
    public void Schedule_Again_ReplacesDeadline_ShorterAndLonger()
    {
        using var scheduler = NewScheduler();
        scheduler.Schedule("a", _time.GetUtcNow().AddSeconds(100));
        scheduler.Schedule("a", _time.GetUtcNow().AddSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["a"], _fired);

        scheduler.Schedule("b", _time.GetUtcNow().AddSeconds(2));
        scheduler.Schedule("b", _time.GetUtcNow().AddSeconds(50));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["a"], _fired);
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(["a", "b"], _fired);
    }

    [Fact]
    public void Cancel_PreventsFiring()
    {
        using var scheduler = NewScheduler();
        scheduler.Schedule("a", _time.GetUtcNow().AddSeconds(1));
        scheduler.Cancel("a");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(_fired);
        Assert.Null(scheduler.DeadlineOf("a"));
    }

    [Fact]
    public void ManyDeadlines_FireInOrder_WithOneTimer()
    {
        using var scheduler = NewScheduler();
        var ids = Enumerable.Range(0, 200).Select(i => $"s{i}").ToList();
        var random = new Random(42);
        var deadlines = ids.ToDictionary(id => id, _ => _time.GetUtcNow().AddSeconds(random.Next(1, 1000)));
        foreach (var (id, at) in deadlines)
        {
            scheduler.Schedule(id, at);
        }

        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(200, _fired.Count);
        var firedDeadlines = _fired.Select(id => deadlines[id]).ToList();
        Assert.Equal(firedDeadlines.Order(), firedDeadlines);
    }

    [Fact]
    public void PastDeadline_FiresImmediately()
    {
        using var scheduler = NewScheduler();
        scheduler.Schedule("late", _time.GetUtcNow().AddMinutes(-5));
        _time.Advance(TimeSpan.Zero);
        Assert.Equal(["late"], _fired);
    }

    [Fact]
    public void FarDeadline_BeyondTimerCap_StillFires()
    {
        using var scheduler = NewScheduler();
        scheduler.Schedule("far", _time.GetUtcNow().AddDays(30));
        for (var i = 0; i < 30 * 24; i++)
        {
            _time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(["far"], _fired);
    }
}
