using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Paddock.Agent.Process;

/// <summary>
/// The master side of a pseudoterminal: the process gets the slave (<see cref="SlavePath"/>) as its
/// controlling terminal and stdio; the agent reads its output from, and writes its input to, the master.
/// </summary>
internal sealed class Pseudoterminal : IDisposable
{
    private const int ReadPollMilliseconds = 250;
    private readonly int _master;
    private readonly Lock _writeGate = new();
    private int _disposed;

    private Pseudoterminal(int master, string slavePath)
    {
        _master = master;
        SlavePath = slavePath;
    }

    public string SlavePath { get; }

    public static Pseudoterminal Open(ushort cols, ushort rows, int ownerUid)
    {
        var master = Native.PosixOpenPt(Native.ORdWr | Native.ONoCtty | Native.OCloExec);
        if (master < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "posix_openpt failed");
        }

        try
        {
            if (Native.GrantPt(master) != 0 || Native.UnlockPt(master) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "could not unlock the pseudoterminal");
            }

            var slave = Native.PtsName(master);
            // The terminal belongs to the user who runs in it, as a login would leave it (group tty).
            _ = Native.Chown(slave, ownerUid, Native.TtyGroup);
            var terminal = new Pseudoterminal(master, slave);
            terminal.Resize(cols, rows);
            return terminal;
        }
        catch
        {
            _ = Native.Close(master);
            throw;
        }
    }

    public void Resize(ushort cols, ushort rows)
    {
        var size = new Native.WinSize { Rows = rows, Cols = cols };
        if (Native.IoctlWinSize(_master, Native.TiocSWinSz, ref size) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "could not resize the pseudoterminal");
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_writeGate)
        {
            while (!data.IsEmpty)
            {
                var written = Native.Write(_master, data);
                if (written < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Native.EIntr)
                    {
                        continue;
                    }

                    throw new IOException($"writing to the terminal failed (errno {errno})");
                }

                data = data[(int)written..];
            }
        }
    }

    /// <summary>
    /// Reads the terminal's output on a thread of its own until every holder of the slave has closed it,
    /// or until <paramref name="exited"/> completes and the output already written has been read (a
    /// background child may keep the slave open after the process itself ends).
    /// </summary>
    public Task PumpAsync(Action<byte[], int> onData, Task exited) => Task.Factory.StartNew(
        () =>
        {
            var buffer = new byte[32 * 1024];
            while (Volatile.Read(ref _disposed) == 0)
            {
                var ready = Native.PollIn(_master, exited.IsCompleted ? 50 : ReadPollMilliseconds);
                if (ready == 0)
                {
                    if (exited.IsCompleted)
                    {
                        return;
                    }

                    continue;
                }

                var read = ready < 0 ? -1 : Native.Read(_master, buffer);
                if (read > 0)
                {
                    onData(buffer, (int)read);
                    continue;
                }

                if (read < 0 && Marshal.GetLastPInvokeError() == Native.EIntr)
                {
                    continue;
                }

                // EIO: no process holds the slave any more.
                return;
            }
        },
        CancellationToken.None,
        TaskCreationOptions.LongRunning,
        TaskScheduler.Default);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = Native.Close(_master);
        }
    }
}
