using System.Globalization;

namespace Paddock.Bench;

/// <summary>
/// One warm process that opens a TCP connection to a web server, sends a GET and reads the answer to its end,
/// a number of times, printing each connect and whole-request time from its own clock. A process per request
/// (curl in a loop) measures mostly process start and scheduling on a shared machine; a warm process measures
/// the network path. The probe is Python run from the base template's own root file system, so the sandbox and
/// the namespaces it is compared with run the very same program.
/// </summary>
internal static class LatencyProbe
{
    // With network namespace descriptors after the count, the probe takes its requests in each namespace in turn
    // (a socket belongs to the namespace its thread was in when it was made), so both see the same machine.
    private const string Script = """
        import ctypes, socket, sys, time
        host, address, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        namespaces = [int(fd) for fd in sys.argv[4:]] or [None]
        setns = ctypes.CDLL(None, use_errno=True).setns
        request = ('GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' % host).encode()
        for i in range(count * len(namespaces)):
            place = i % len(namespaces) if (i // len(namespaces)) % 2 == 0 else len(namespaces) - 1 - i % len(namespaces)
            if namespaces[place] is not None and setns(namespaces[place], 0x40000000) != 0:
                sys.exit('setns failed: %d' % ctypes.get_errno())
            s = socket.socket()
            start = time.perf_counter()
            s.connect((address, 80))
            connected = time.perf_counter()
            s.sendall(request)
            while s.recv(65536):
                pass
            done = time.perf_counter()
            s.close()
            print('%d %.6f %.6f' % (place, (connected - start) * 1000, (done - start) * 1000))
        """;

    /// <summary>
    /// The probe's command line after the program that enters the place it runs in; with
    /// <paramref name="namespaceFds"/> (descriptors of network namespaces it inherits) it alternates between them.
    /// </summary>
    public static string[] Arguments(string host, string address, int count, params int[] namespaceFds) =>
        ["python3", "-I", "-B", "-c", Script, host, address, count.ToString(CultureInfo.InvariantCulture), .. namespaceFds.Select(fd => fd.ToString(CultureInfo.InvariantCulture))];

    /// <summary>Adds what the probe printed to the connect and request statistics of the place each line names.</summary>
    public static void Record(string output, params (Stats Connect, Stats Request)[] places)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            var (connect, request) = places[int.Parse(parts[0], CultureInfo.InvariantCulture)];
            connect.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
            request.Add(double.Parse(parts[2], CultureInfo.InvariantCulture));
        }
    }
}
