using System.Runtime.InteropServices;
using System.Text;

namespace Paddock.Runtime.Native;

/// <summary>
/// A listening unix stream socket made with the raw calls: .NET's Socket deletes the socket's file when it
/// is disposed, and here the file must stay while the descriptor lives on in the sandbox's agent.
/// </summary>
internal static unsafe partial class UnixListener
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int PathCapacity = 108;

    /// <summary>Binds and listens at <paramref name="path"/> (which must not exist) and returns the descriptor.</summary>
    public static int Create(string path, int backlog)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= PathCapacity)
        {
            throw new IOException($"the socket path {path} is longer than a unix socket address allows ({PathCapacity - 1} bytes)");
        }

        var fd = Socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0)
        {
            throw Libc.Error("socket(AF_UNIX)");
        }

        try
        {
            var address = stackalloc byte[2 + PathCapacity];
            new Span<byte>(address, 2 + PathCapacity).Clear();
            *(ushort*)address = AfUnix;
            bytes.CopyTo(new Span<byte>(address + 2, PathCapacity));
            if (Bind(fd, address, 2 + bytes.Length + 1) != 0)
            {
                throw Libc.Error($"bind({path})");
            }

            if (Listen(fd, backlog) != 0)
            {
                throw Libc.Error($"listen({path})");
            }

            return fd;
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int Listen(int fd, int backlog);
}
