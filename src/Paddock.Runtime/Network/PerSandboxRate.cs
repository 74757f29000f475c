using System.Collections.Concurrent;
using System.Net;

namespace Paddock.Runtime.Network;

/// <summary>
/// How often one sandbox may use a shared service (queries to the resolver relay): a token bucket per sandbox,
/// refilled at <paramref name="perSecond"/> up to <paramref name="burst"/>. A bound on what is in flight is not
/// enough for a relay: its upstream answers in milliseconds, so 64 queries in flight are thousands a second,
/// sent on to the operator's resolvers from the host's address. Past the rate a query is dropped, as a
/// rate-limited resolver drops it; the client's resolver library asks again later.
/// </summary>
internal sealed class PerSandboxRate(double perSecond, double burst, TimeProvider time)
{
    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();

    public bool TryTake(IPAddress sandbox)
    {
        var now = time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(sandbox, _ => new Bucket(burst, now));
        lock (bucket)
        {
            var elapsed = time.GetElapsedTime(bucket.Since, now).TotalSeconds;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed * perSecond));
            bucket.Since = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens--;
            return true;
        }
    }

    /// <summary>Forgets a sandbox (its address may go to another one).</summary>
    public void Forget(IPAddress sandbox) => _buckets.TryRemove(sandbox, out _);

    private sealed class Bucket(double tokens, long since)
    {
        public double Tokens { get; set; } = tokens;

        public long Since { get; set; } = since;
    }
}
