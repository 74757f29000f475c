namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// <c>host[:port]</c> split as E2B's API splits a Host mask (Go's <c>net.SplitHostPort</c>, where a missing port
/// leaves the whole text as the host): an IPv6 host in brackets, no other colon in the host, no stray bracket.
/// The port is not checked, so <c>${PORT}</c> may stand in it.
/// </summary>
internal static class HostPort
{
    public static bool TrySplit(string hostPort, out string host)
    {
        host = hostPort;
        var lastColon = hostPort.LastIndexOf(':');
        if (lastColon < 0)
        {
            return true;
        }

        int hostStart = 0, hostEnd;
        if (hostPort[0] == '[')
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            if (close + 1 == hostPort.Length)
            {
                // "[::1]": no port, so it is all host.
                return true;
            }

            if (close + 1 != lastColon)
            {
                return false;
            }

            hostStart = 1;
            hostEnd = close;
        }
        else
        {
            hostEnd = lastColon;
            if (hostPort.AsSpan(0, hostEnd).Contains(':'))
            {
                return false;
            }
        }

        var afterOpen = hostStart == 0 ? 0 : 1;
        var afterClose = hostStart == 0 ? 0 : hostEnd + 1;
        if (hostPort.AsSpan(afterOpen).Contains('[') || hostPort.AsSpan(afterClose).Contains(']'))
        {
            return false;
        }

        host = hostPort[hostStart..hostEnd];
        return true;
    }
}
