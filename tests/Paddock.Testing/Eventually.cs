namespace Paddock.Testing;

/// <summary>
/// Waits for something a test can observe instead of sleeping a fixed time and hoping: it polls the
/// condition until it holds, and fails with what was awaited when it does not hold in time.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan s_defaultWithin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_pollEvery = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns once <paramref name="condition"/> is true; throws <see cref="TimeoutException"/> after <paramref name="within"/> (10 s by default).</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, within);

    /// <inheritdoc cref="TrueAsync(Func{bool}, string, TimeSpan?)"/>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? s_defaultWithin;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"waited {limit.TotalSeconds:0.#} s for {what}");
            }

            await Task.Delay(s_pollEvery);
        }
    }
}
