using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Paddock.Runtime.Network;

/// <summary>
/// The little of DNS's wire format the host's resolver relay and the egress proxy need: the one name a
/// query asks for, a refusal, an A query and the addresses of its answer (RFC 1035).
/// </summary>
internal static class DnsMessage
{
    private const int HeaderLength = 12;
    private const ushort TypeA = 1;
    private const ushort ClassIn = 1;

    /// <summary>
    /// The name an ordinary lookup asks for, or null for anything else: not a standard query (an UPDATE, a
    /// NOTIFY), more or fewer than one question, records beyond one EDNS option, or a zone transfer or ANY
    /// (what a resolver that trusts the host would answer at length to anyone).
    /// </summary>
    public static string? QuestionOf(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength || (message[2] & 0xf8) != 0
            || BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != 1
            || BinaryPrimitives.ReadUInt16BigEndian(message[6..]) != 0
            || BinaryPrimitives.ReadUInt16BigEndian(message[8..]) != 0
            || BinaryPrimitives.ReadUInt16BigEndian(message[10..]) > 1)
        {
            return null;
        }

        var offset = HeaderLength;
        var name = ReadName(message, ref offset, allowPointers: false);
        if (name is null || offset + 4 > message.Length)
        {
            return null;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        return type is 251 or 252 or 255 ? null : name;
    }

    /// <summary>The answer REFUSED to <paramref name="query"/>: its header and question, nothing else.</summary>
    public static byte[] Refusal(ReadOnlySpan<byte> query)
    {
        var length = HeaderLength;
        var offset = HeaderLength;
        if (query.Length >= HeaderLength && BinaryPrimitives.ReadUInt16BigEndian(query[4..]) == 1 && ReadName(query, ref offset, allowPointers: false) is not null
            && offset + 4 <= query.Length)
        {
            length = offset + 4;
        }

        var answer = query[..Math.Min(length, query.Length)].ToArray();
        if (answer.Length < HeaderLength)
        {
            Array.Resize(ref answer, HeaderLength);
        }

        answer[2] = (byte)(0x80 | (answer[2] & 0x79)); // QR, keep opcode and RD
        answer[3] = 0x05; // REFUSED
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(4), (ushort)(length > HeaderLength ? 1 : 0));
        answer.AsSpan(6, 6).Clear();
        return answer;
    }

    /// <summary>A recursive query for the A records of <paramref name="name"/>.</summary>
    public static byte[] AQuery(string name, ushort id)
    {
        var body = new List<byte>(HeaderLength + name.Length + 6);
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = 0x01; // RD
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], 1);
        body.AddRange(header.ToArray());
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length is 0 or > 63)
            {
                throw new ArgumentException($"'{name}' is not a DNS name", nameof(name));
            }

            body.Add((byte)bytes.Length);
            body.AddRange(bytes);
        }

        body.Add(0);
        body.AddRange([0, (byte)TypeA, 0, (byte)ClassIn]);
        return [.. body];
    }

    /// <summary>The IPv4 addresses in the answer section of a response to query <paramref name="id"/>.</summary>
    public static IReadOnlyList<IPAddress> AddressesIn(ReadOnlySpan<byte> response, ushort id)
    {
        var addresses = new List<IPAddress>();
        if (response.Length < HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(response) != id || (response[3] & 0x0f) != 0)
        {
            return addresses;
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(response[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(response[6..]);
        var offset = HeaderLength;
        for (var i = 0; i < questions; i++)
        {
            if (ReadName(response, ref offset, allowPointers: true) is null || (offset += 4) > response.Length)
            {
                return addresses;
            }
        }

        for (var i = 0; i < answers; i++)
        {
            if (ReadName(response, ref offset, allowPointers: true) is null || offset + 10 > response.Length)
            {
                break;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(response[offset..]);
            var dataLength = BinaryPrimitives.ReadUInt16BigEndian(response[(offset + 8)..]);
            offset += 10;
            if (offset + dataLength > response.Length)
            {
                break;
            }

            if (type == TypeA && dataLength == 4)
            {
                addresses.Add(new IPAddress(response.Slice(offset, 4)));
            }

            offset += dataLength;
        }

        return addresses;
    }

    // A name's labels, lower-cased and dotted; null when malformed. Compression pointers only in answers.
    private static string? ReadName(ReadOnlySpan<byte> message, ref int offset, bool allowPointers)
    {
        var name = new StringBuilder();
        var position = offset;
        var jumped = false;
        for (var hops = 0; hops < 64; hops++)
        {
            if (position >= message.Length)
            {
                return null;
            }

            var length = message[position];
            if (length == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }

                return name.Length == 0 ? "." : name.ToString();
            }

            if ((length & 0xc0) == 0xc0)
            {
                if (!allowPointers || position + 1 >= message.Length)
                {
                    return null;
                }

                if (!jumped)
                {
                    offset = position + 2;
                }

                jumped = true;
                position = ((length & 0x3f) << 8) | message[position + 1];
                continue;
            }

            if (length > 63 || position + 1 + length > message.Length)
            {
                return null;
            }

            if (name.Length > 0)
            {
                name.Append('.');
            }

            foreach (var b in message.Slice(position + 1, length))
            {
                name.Append(char.ToLowerInvariant((char)b));
            }

            position += 1 + length;
        }

        return null;
    }
}
