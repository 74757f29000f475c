using System.Collections.Concurrent;
using System.Net;

namespace Paddock.Runtime.Network;

/// <summary>
/// How much of a shared service one sandbox may hold at once (queries in flight, open proxied connections):
/// each costs the server a socket, and a sandbox that opened them without end would take the server's
/// descriptors from every other sandbox. Past the limit the newest is refused.
/// </summary>
internal sealed class PerSandboxLimit(int limit)
{
    private readonly ConcurrentDictionary<IPAddress, int> _held = new();

    public bool TryEnter(IPAddress sandbox)
    {
        while (true)
        {
            var current = _held.GetOrAdd(sandbox, 0);
            if (current >= limit)
            {
                return false;
            }

            if (_held.TryUpdate(sandbox, current + 1, current))
            {
                return true;
            }
        }
    }

    public void Exit(IPAddress sandbox)
    {
        while (_held.TryGetValue(sandbox, out var current))
        {
            if (current <= 1 ? _held.TryRemove(new KeyValuePair<IPAddress, int>(sandbox, current)) : _held.TryUpdate(sandbox, current - 1, current))
            {
                return;
            }
        }
    }
}
