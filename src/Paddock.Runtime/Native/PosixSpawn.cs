using System.Runtime.InteropServices;
using System.Text;

namespace Paddock.Runtime.Native;

/// <summary>
/// Starts a process with exactly the file descriptors it is given, through glibc's <c>posix_spawn</c>.
/// .NET's Process cannot pass a descriptor beyond stdio, and clearing close-on-exec in this process to let
/// one through would leak it into every process any other thread starts meanwhile; posix_spawn's file
/// actions run in the child alone, so each descriptor reaches exactly one process. The child also gets a
/// session of its own (a terminal's Ctrl-C to the server never reaches it) and default signal handling.
/// </summary>
internal static partial class PosixSpawn
{
    private const short SetSigDefault = 0x04;
    private const short SetSigMask = 0x08;
    private const short SetSid = 0x80;

    // glibc's opaque types are smaller than this (80, 336 and 128 bytes on x86_64).
    private const int OpaqueSize = 512;

    /// <summary>What one child descriptor is: a file opened in the child, or a descriptor of ours duplicated.</summary>
    public abstract record Descriptor(int Target);

    /// <summary>Opens <paramref name="Path"/> in the child as <paramref name="Target"/> (never following a symlink).</summary>
    public sealed record OpenFile(int Target, string Path, int Flags, uint Mode = 0) : Descriptor(Target);

    /// <summary>Duplicates descriptor <paramref name="Source"/> of this process as <paramref name="Target"/> in the child.</summary>
    public sealed record Duplicate(int Target, int Source) : Descriptor(Target);

    /// <summary>Starts <paramref name="file"/> (searched on PATH) and returns its pid; the caller must reap it.</summary>
    public static unsafe int Start(string file, IReadOnlyList<string> args, IReadOnlyList<Descriptor> descriptors)
    {
        // A source that is also some descriptor's target would be overwritten before it is copied: move
        // every source out of the way first (the copies are close-on-exec, and closed once the child runs).
        var highest = descriptors.Max(d => d.Target);
        var moved = new List<int>();
        var actions = NativeMemory.AllocZeroed(OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(OpaqueSize);
        var signals = NativeMemory.AllocZeroed(OpaqueSize);
        var strings = new List<nint>();
        try
        {
            Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
            foreach (var descriptor in descriptors)
            {
                switch (descriptor)
                {
                    case OpenFile open:
                        Check(FileActionsAddOpen(actions, open.Target, open.Path, open.Flags | Libc.ONoFollow, open.Mode), "posix_spawn_file_actions_addopen");
                        break;
                    case Duplicate dup:
                        var source = Libc.Fcntl(dup.Source, Libc.FDupFdCloexec, highest + 1);
                        if (source < 0)
                        {
                            throw Libc.Error($"duplicating descriptor {dup.Source}");
                        }

                        moved.Add(source);
                        Check(FileActionsAddDup2(actions, source, dup.Target), "posix_spawn_file_actions_adddup2");
                        break;
                }
            }

            Check(AttrInit(attributes), "posix_spawnattr_init");
            Check(SigFillSet(signals), "sigfillset");
            Check(AttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(SigEmptySet(signals), "sigemptyset");
            Check(AttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(AttrSetFlags(attributes, SetSigDefault | SetSigMask | SetSid), "posix_spawnattr_setflags");

            var argv = ToNativeArray([file, .. args], strings);
            var environment = Environment.GetEnvironmentVariables();
            var envp = ToNativeArray(environment.Keys.Cast<string>().Select(k => $"{k}={environment[k]}").ToList(), strings);
            var result = Spawn(out var pid, file, actions, attributes, argv, envp);
            if (result != 0)
            {
                throw new IOException($"could not start {file}: {Marshal.GetPInvokeErrorMessage(result)} (errno {result})");
            }

            return pid;
        }
        finally
        {
            foreach (var fd in moved)
            {
                Libc.Close(fd);
            }

            foreach (var pointer in strings)
            {
                NativeMemory.Free((void*)pointer);
            }

            _ = FileActionsDestroy(actions);
            _ = AttrDestroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
        }
    }

    /// <summary>Waits for a child started here to end and returns its exit status (128 + n for signal n).</summary>
    public static async Task<int> WaitAsync(int pid, CancellationToken cancellationToken)
    {
        // waitpid blocks; it runs on a thread of its own, and a cancellation kills the child so the wait ends.
        using var registration = cancellationToken.Register(() => Libc.Kill(pid, Libc.SigKill));
        return await Task.Factory.StartNew(
            () =>
            {
                int status;
                while (Libc.WaitPid(pid, out status, 0) < 0)
                {
                    if (Marshal.GetLastPInvokeError() != Libc.Eintr)
                    {
                        throw Libc.Error($"waitpid({pid})");
                    }
                }

                var signal = status & 0x7f;
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static unsafe void** ToNativeArray(List<string> values, List<nint> owned)
    {
        var array = (void**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(void*));
        owned.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(values[i]);
            var text = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
            bytes.CopyTo(new Span<byte>(text, bytes.Length));
            text[bytes.Length] = 0;
            owned.Add((nint)text);
            array[i] = text;
        }

        return array;
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(result)} (errno {result})");
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static unsafe partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static unsafe partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int FileActionsAddOpen(void* actions, int fd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static unsafe partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static unsafe partial int AttrInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static unsafe partial int AttrDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static unsafe partial int AttrSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static unsafe partial int AttrSetSigDefault(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static unsafe partial int AttrSetSigMask(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    private static unsafe partial int SigFillSet(void* signals);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static unsafe partial int SigEmptySet(void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnp", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Spawn(out int pid, string file, void* actions, void* attributes, void** argv, void** envp);
}
