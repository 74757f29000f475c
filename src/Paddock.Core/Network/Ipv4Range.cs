using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Paddock.Core.Network;

/// <summary>An IPv4 CIDR block; a bare address is its /32.</summary>
public readonly record struct Ipv4Range(uint Network, int PrefixLength)
{
    /// <summary>Every IPv4 address.</summary>
    public static readonly Ipv4Range All = new(0, 0);

    /// <summary>The mask of the prefix, host order.</summary>
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    /// <summary>The last address of the block, host order.</summary>
    public uint Last => Network | ~Mask;

    /// <summary>How many addresses it holds.</summary>
    public long Size => 1L << (32 - PrefixLength);

    /// <summary>Whether <paramref name="address"/> (host order) is in the block.</summary>
    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>Whether <paramref name="address"/> is in the block.</summary>
    public bool Contains(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork && Contains(ToUInt32(address));

    /// <summary>Whether the two blocks share an address.</summary>
    public bool Overlaps(Ipv4Range other) => Contains(other.Network) || other.Contains(Network);

    /// <summary>The <paramref name="offset"/>-th address of the block.</summary>
    public IPAddress AddressAt(long offset) => FromUInt32((uint)(Network + offset));

    /// <summary>Parses <c>a.b.c.d</c> or <c>a.b.c.d/n</c>; host bits must be zero, as E2B's parser wants.</summary>
    public static bool TryParse(string text, out Ipv4Range range)
    {
        range = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || addressText.Count(c => c == '.') != 3)
        {
            return false;
        }

        var prefix = 32;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32))
        {
            return false;
        }

        var candidate = new Ipv4Range(ToUInt32(address), prefix);
        if ((candidate.Network & ~candidate.Mask) != 0)
        {
            return false;
        }

        range = candidate;
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> (for settings).</summary>
    public static Ipv4Range Parse(string text) =>
        TryParse(text, out var range) ? range : throw new FormatException($"'{text}' is not an IPv4 address or CIDR block");

    /// <summary>An address as a host-order number.</summary>
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>A host-order number as an address.</summary>
    public static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <inheritdoc />
    public override string ToString() => $"{FromUInt32(Network)}/{PrefixLength}";
}
