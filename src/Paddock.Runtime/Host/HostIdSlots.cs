using System.Globalization;

namespace Paddock.Runtime.Host;

/// <summary>
/// Host uid and gid ranges for sandboxes: every sandbox maps its users (root included) to a range of
/// 65536 host ids that no other sandbox, of this server or of any other Paddock server on the host, uses
/// at the same time. So whatever the kernel counts or checks per user (process and inotify limits, signal
/// and ptrace permissions, file ownership) never spans two sandboxes. Ranges ("slots") come from a pool
/// above the ids login tools hand out, and are claimed host-wide by creating a file named after the slot
/// in a directory every Paddock server shares (<c>O_EXCL</c> makes the claim atomic); the file holds the
/// claiming server's data dir, so a server that is gone for good (its data dir deleted) loses its claims.
/// A server keeps a few released slots claimed as spares: their id-mapped template views stay open,
/// so the next creates skip making one.
/// </summary>
internal sealed class HostIdSlots(RuntimeOptions options)
{
    /// <summary>Ids per sandbox: root to <c>nobody</c> (65534) inside.</summary>
    public const int RangeSize = 65536;

    private const int MaxSpares = 16;

    private readonly Lock _gate = new();
    private readonly Stack<int> _spares = new();
    private int _cursor;

    private string Directory => options.HostIdClaimsDir;

    private int SlotCount => (int)((options.HostIdPoolEnd - options.HostIdPoolStart) / RangeSize);

    /// <summary>The first host id of a slot's range.</summary>
    public long BaseOf(int slot) => options.HostIdPoolStart + (long)slot * RangeSize;

    /// <summary>The slot whose range holds <paramref name="hostId"/>, if it is in the pool.</summary>
    public int? SlotOf(long hostId) =>
        hostId >= options.HostIdPoolStart && hostId < options.HostIdPoolEnd ? (int)((hostId - options.HostIdPoolStart) / RangeSize) : null;

    /// <summary>
    /// Finds this server's claims at start: slots in use by <paramref name="inUse"/> stay claimed, the rest
    /// become spares (or are released); claims of servers whose data dir no longer exists are released.
    /// </summary>
    public void Recover(IReadOnlySet<int> inUse)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var ours = Path.GetFullPath(options.DataDir);
        lock (_gate)
        {
            _spares.Clear();
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
            {
                if (!int.TryParse(Path.GetFileName(file), NumberStyles.None, CultureInfo.InvariantCulture, out var slot))
                {
                    continue;
                }

                var owner = ReadOwner(file);
                if (owner == ours)
                {
                    if (!inUse.Contains(slot) && !KeepAsSpare(slot))
                    {
                        File.Delete(file);
                    }
                }
                else if (owner is not null && !System.IO.Directory.Exists(owner))
                {
                    File.Delete(file);
                }
            }
        }
    }

    /// <summary>Claims a slot for a new sandbox, preferring a spare of this server's.</summary>
    public int Claim()
    {
        lock (_gate)
        {
            if (_spares.TryPop(out var spare))
            {
                return spare;
            }

            System.IO.Directory.CreateDirectory(Directory);
            for (var tried = 0; tried < SlotCount; tried++)
            {
                var slot = _cursor;
                _cursor = (_cursor + 1) % SlotCount;
                try
                {
                    using var claim = new FileStream(PathOf(slot), FileMode.CreateNew, FileAccess.Write);
                    claim.Write(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(options.DataDir) + "\n"));
                    return slot;
                }
                catch (IOException) when (File.Exists(PathOf(slot)))
                {
                    // Another sandbox's, or another server's.
                }
            }

            throw new InvalidOperationException(
                $"every host id range of the pool ({SlotCount} sandboxes) is in use by Paddock servers on this host (claims in {Directory})");
        }
    }

    /// <summary>Gives a slot back once its sandbox is gone: kept as a spare (true), or released for anyone.</summary>
    public bool Release(int slot)
    {
        lock (_gate)
        {
            if (_spares.Contains(slot) || KeepAsSpare(slot))
            {
                return true;
            }

            File.Delete(PathOf(slot));
            return false;
        }
    }

    /// <summary>Releases every spare (a server with no sandbox left gives its ranges back to the host).</summary>
    public void ReleaseSpares()
    {
        lock (_gate)
        {
            while (_spares.TryPop(out var slot))
            {
                File.Delete(PathOf(slot));
            }
        }
    }

    private bool KeepAsSpare(int slot)
    {
        if (_spares.Count >= MaxSpares)
        {
            return false;
        }

        _spares.Push(slot);
        return true;
    }

    private string PathOf(int slot) => Path.Combine(Directory, slot.ToString(CultureInfo.InvariantCulture));

    private static string? ReadOwner(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim() is { Length: > 0 } owner ? owner : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
