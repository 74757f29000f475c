using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Paddock.Runtime.Native;

/// <summary>
/// The few rtnetlink requests a sandbox's network needs (a veth pair, an address, routes, links up), sent
/// straight to the kernel: one request costs microseconds where an <c>ip</c> process costs milliseconds, and
/// these run on every create. A socket talks to the network namespace it was opened in; <see cref="OpenIn"/>
/// opens one inside a sandbox's namespace without moving the server into it.
/// </summary>
internal sealed partial class Netlink : IDisposable
{
    private const int AfNetlink = 16;
    private const int NetlinkRoute = 0;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int CloneNewNet = 0x40000000;

    private const ushort RtmNewLink = 16;
    private const ushort RtmDelLink = 17;
    private const ushort RtmGetLink = 18;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmNewRoute = 24;
    private const ushort RtmNewNeigh = 28;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 1;
    private const ushort NlmFAck = 4;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const ushort NlmFReplace = 0x100;

    private const ushort IflaAddress = 1;
    private const ushort IflaIfname = 3;
    private const ushort IflaLinkinfo = 18;
    private const ushort IflaNetNsFd = 28;
    private const ushort IflaInfoKind = 1;
    private const ushort IflaInfoData = 2;
    private const ushort VethInfoPeer = 1;
    private const ushort NlaFNested = 0x8000;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const ushort RtaGateway = 5;
    private const byte AfInet = 2;
    private const byte RtTableMain = 254;
    private const byte RtprotStatic = 4;
    private const byte RtScopeUniverse = 0;
    private const byte RtScopeLink = 253;
    private const byte RtnUnicast = 1;
    private const uint RtnhFOnlink = 4;
    private const uint IffUp = 1;
    private const ushort NdaDst = 1;
    private const ushort NdaLladdr = 2;
    private const ushort NudPermanent = 0x80;

    private readonly int _fd;
    private uint _sequence;

    private Netlink(int fd) => _fd = fd;

    /// <summary>A socket in the server's own network namespace.</summary>
    public static Netlink Open()
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        return fd < 0 ? throw Libc.Error("opening a netlink socket") : new Netlink(fd);
    }

    /// <summary>
    /// A socket in the network namespace <paramref name="namespaceFd"/> refers to. Namespaces belong to
    /// threads: a short-lived thread joins the namespace, opens the socket and ends, so no thread of the
    /// server ever runs in a sandbox's namespace afterwards.
    /// </summary>
    public static Netlink OpenIn(int namespaceFd)
    {
        Netlink? opened = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (SetNs(namespaceFd, CloneNewNet) != 0)
                {
                    throw Libc.Error("joining a sandbox's network namespace");
                }

                opened = Open();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }, maxStackSize: 256 * 1024)
        { IsBackground = true, Name = "netns" };
        thread.Start();
        thread.Join();
        return opened ?? throw failure ?? new InvalidOperationException("no netlink socket was opened");
    }

    /// <summary>
    /// Creates a veth pair: <paramref name="name"/> here with the hardware address <paramref name="mac"/>, its peer
    /// <paramref name="peerName"/> with <paramref name="peerMac"/> in the namespace <paramref name="peerNamespaceFd"/>.
    /// </summary>
    public void AddVethPair(string name, byte[] mac, string peerName, byte[] peerMac, int peerNamespaceFd)
    {
        using var message = new Message(RtmNewLink, NlmFRequest | NlmFAck | NlmFCreate | NlmFExcl);
        message.IfInfo(index: 0, flags: 0, change: 0);
        message.AttributeString(IflaIfname, name);
        message.AttributeBytes(IflaAddress, mac);
        var linkInfo = message.Begin(IflaLinkinfo);
        message.AttributeString(IflaInfoKind, "veth");
        var data = message.Begin(IflaInfoData);
        var peer = message.Begin(VethInfoPeer);
        message.IfInfo(index: 0, flags: 0, change: 0);
        message.AttributeString(IflaIfname, peerName);
        message.AttributeBytes(IflaAddress, peerMac);
        message.AttributeUInt32(IflaNetNsFd, (uint)peerNamespaceFd);
        message.End(peer);
        message.End(data);
        message.End(linkInfo);
        Send(message, $"creating the veth pair {name}");
    }

    /// <summary>Deletes a link by name; false when there is none.</summary>
    public bool DeleteLink(string name)
    {
        using var message = new Message(RtmDelLink, NlmFRequest | NlmFAck);
        message.IfInfo(index: 0, flags: 0, change: 0);
        message.AttributeString(IflaIfname, name);
        var error = Transact(message);
        return error switch
        {
            0 => true,
            Libc.Enodev or Libc.Enoent => false,
            _ => throw new IOException($"deleting link {name}: {Marshal.GetPInvokeErrorMessage(error)}"),
        };
    }

    /// <summary>The index of a link of this namespace.</summary>
    public int IndexOf(string name)
    {
        using var message = new Message(RtmGetLink, NlmFRequest);
        message.IfInfo(index: 0, flags: 0, change: 0);
        message.AttributeString(IflaIfname, name);
        SendRaw(message);
        var buffer = new byte[8192];
        var length = Receive(buffer);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(4));
        if (type == NlmsgError)
        {
            throw new IOException($"finding link {name}: {Marshal.GetPInvokeErrorMessage(-BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(16)))}");
        }

        return length >= 24 ? BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(20)) : throw new IOException($"finding link {name}: short answer");
    }

    /// <summary>Brings a link up.</summary>
    public void SetUp(int index)
    {
        using var message = new Message(RtmNewLink, NlmFRequest | NlmFAck);
        message.IfInfo(index, IffUp, IffUp);
        Send(message, $"bringing link {index} up");
    }

    /// <summary>Gives a link an IPv4 address with its prefix length.</summary>
    public void AddAddress(int index, IPAddress address, byte prefixLength)
    {
        using var message = new Message(RtmNewAddr, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace);
        message.Bytes([AfInet, prefixLength, 0, RtScopeUniverse]);
        message.UInt32((uint)index);
        message.AttributeAddress(IfaLocal, address);
        message.AttributeAddress(IfaAddress, address);
        Send(message, $"adding {address}/{prefixLength}");
    }

    /// <summary>Routes one address to a link directly (no gateway), in the main table.</summary>
    public void AddHostRoute(IPAddress destination, int index)
    {
        using var message = new Message(RtmNewRoute, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace);
        message.Bytes([AfInet, 32, 0, 0, RtTableMain, RtprotStatic, RtScopeLink, RtnUnicast]);
        message.UInt32(0);
        message.AttributeAddress(RtaDst, destination);
        message.AttributeUInt32(RtaOif, (uint)index);
        Send(message, $"routing {destination}");
    }

    /// <summary>The default route through <paramref name="gateway"/> on a link, whether or not the gateway is in a subnet of that link.</summary>
    public void AddDefaultRoute(IPAddress gateway, int index)
    {
        using var message = new Message(RtmNewRoute, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace);
        message.Bytes([AfInet, 0, 0, 0, RtTableMain, RtprotStatic, RtScopeUniverse, RtnUnicast]);
        message.UInt32(RtnhFOnlink);
        message.AttributeAddress(RtaGateway, gateway);
        message.AttributeUInt32(RtaOif, (uint)index);
        Send(message, $"routing through {gateway}");
    }

    /// <summary>A permanent neighbour entry: <paramref name="address"/> is at <paramref name="mac"/> on a link, never asked for.</summary>
    public void AddPermanentNeighbour(int index, IPAddress address, byte[] mac)
    {
        using var message = new Message(RtmNewNeigh, NlmFRequest | NlmFAck | NlmFCreate | NlmFReplace);
        message.Bytes([AfInet, 0, 0, 0]);
        message.UInt32((uint)index);
        Span<byte> state = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(state, NudPermanent);
        message.Bytes(state); // state, flags, type (unspecified)
        message.AttributeAddress(NdaDst, address);
        message.AttributeBytes(NdaLladdr, mac);
        Send(message, $"adding the neighbour {address}");
    }

    /// <inheritdoc />
    public void Dispose() => Libc.Close(_fd);

    private void Send(Message message, string what)
    {
        var error = Transact(message);
        if (error != 0)
        {
            throw new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    // Sends a request and reads its acknowledgement: 0, or the errno the kernel answered.
    private int Transact(Message message)
    {
        SendRaw(message);
        var buffer = new byte[4096];
        while (true)
        {
            Receive(buffer);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(4));
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(8));
            if (type == NlmsgError && sequence == _sequence)
            {
                return -BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(16));
            }
        }
    }

    private void SendRaw(Message message)
    {
        var bytes = message.Finish(++_sequence);
        if (Write(_fd, bytes, bytes.Length) != bytes.Length)
        {
            throw Libc.Error("writing a netlink request");
        }
    }

    private int Receive(byte[] buffer)
    {
        while (true)
        {
            var read = Read(_fd, buffer, buffer.Length);
            if (read >= 0)
            {
                return read;
            }

            if (Marshal.GetLastPInvokeError() != Libc.Eintr)
            {
                throw Libc.Error("reading a netlink answer");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int type);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte[] buffer, nint count);

    private static int Read(int fd, byte[] buffer, int count) => (int)ReadRaw(fd, buffer, count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadRaw(int fd, byte[] buffer, nint count);

    // A request being built: the header is written last, when its length is known.
    private sealed class Message(ushort type, ushort flags) : IDisposable
    {
        private readonly MemoryStream _body = new();

        public void Dispose() => _body.Dispose();

        public void IfInfo(int index, uint flags, uint change)
        {
            Bytes([0, 0, 0, 0]);
            Int32(index);
            UInt32(flags);
            UInt32(change);
        }

        public void Bytes(ReadOnlySpan<byte> bytes) => _body.Write(bytes);

        public void UInt32(uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            _body.Write(bytes);
        }

        public void AttributeString(ushort attribute, string value)
        {
            var bytes = Encoding.ASCII.GetBytes(value + "\0");
            Attribute(attribute, bytes);
        }

        public void AttributeUInt32(ushort attribute, uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            Attribute(attribute, bytes);
        }

        public void AttributeAddress(ushort attribute, IPAddress address) => Attribute(attribute, address.GetAddressBytes());

        public void AttributeBytes(ushort attribute, ReadOnlySpan<byte> value) => Attribute(attribute, value);

        public long Begin(ushort attribute)
        {
            var start = _body.Position;
            Span<byte> header = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)(attribute | NlaFNested));
            _body.Write(header);
            return start;
        }

        public void End(long start)
        {
            var end = _body.Position;
            _body.Position = start;
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)(end - start));
            _body.Write(length);
            _body.Position = end;
        }

        public byte[] Finish(uint sequence)
        {
            var body = _body.ToArray();
            var message = new byte[16 + body.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), flags);
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
            body.CopyTo(message, 16);
            return message;
        }

        private void Int32(int value) => UInt32((uint)value);

        private void Attribute(ushort attribute, ReadOnlySpan<byte> value)
        {
            Span<byte> header = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(4 + value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], attribute);
            _body.Write(header);
            _body.Write(value);
            var padding = (4 - (value.Length % 4)) % 4;
            for (var i = 0; i < padding; i++)
            {
                _body.WriteByte(0);
            }
        }
    }
}
