namespace Paddock.Agent;

internal sealed partial class OnDemandTimeProvider
{
    // The provider's state for it (Version, Armed, Period, Disposed) is written under the provider's lock only.
    private sealed class OnDemandTimer(OnDemandTimeProvider provider, TimerCallback callback, object? state) : ITimer
    {
        public long Version { get; set; }

        public bool Armed { get; set; }

        public TimeSpan Period { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            // As the framework's timer: a change after disposal does nothing and says so.
            if (Disposed)
            {
                return false;
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, Timeout.InfiniteTimeSpan);
            ArgumentOutOfRangeException.ThrowIfLessThan(period, Timeout.InfiniteTimeSpan);
            provider.Schedule(this, dueTime, period);
            return true;
        }

        public void Fire()
        {
            if (!Disposed)
            {
                callback(state);
            }
        }

        public void Dispose()
        {
            provider.Schedule(this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan, dispose: true);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
