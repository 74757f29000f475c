using System.Buffers.Binary;
using System.Text;

namespace Paddock.Runtime.Network;

/// <summary>
/// The host name a connection asks for, read from its first bytes without answering them: the server name
/// (SNI) of a TLS ClientHello, or the Host header of an HTTP/1 request. Nothing else is believed: a
/// connection that names no host is judged by its address alone.
/// </summary>
internal static class ConnectionPreface
{
    /// <summary>What the bytes read so far say.</summary>
    public enum Verdict
    {
        /// <summary>More bytes are needed.</summary>
        Incomplete,

        /// <summary>The host was found (or the bytes can never name one).</summary>
        Complete,
    }

    /// <summary>The SNI host name of a TLS ClientHello (record header included).</summary>
    public static Verdict ReadServerName(ReadOnlySpan<byte> data, out string? host)
    {
        host = null;
        if (data.Length < 5)
        {
            return Verdict.Incomplete;
        }

        if (data[0] != 0x16)
        {
            return Verdict.Complete; // not a handshake record
        }

        var recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        if (data.Length < 5 + recordLength)
        {
            return Verdict.Incomplete;
        }

        var hello = data.Slice(5, recordLength);
        // handshake type(1) length(3) version(2) random(32)
        if (hello.Length < 38 || hello[0] != 0x01)
        {
            return Verdict.Complete;
        }

        var offset = 38;
        if (!Skip(hello, ref offset, 1) || !Skip(hello, ref offset, 2) || !Skip(hello, ref offset, 1) || offset + 2 > hello.Length)
        {
            return Verdict.Complete;
        }

        var extensionsEnd = offset + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[offset..]);
        offset += 2;
        while (offset + 4 <= Math.Min(extensionsEnd, hello.Length))
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(hello[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(hello[(offset + 2)..]);
            offset += 4;
            if (offset + length > hello.Length)
            {
                return Verdict.Complete;
            }

            if (type == 0)
            {
                // server_name_list: length(2), then entries of type(1) length(2) name
                var list = hello.Slice(offset, length);
                if (list.Length >= 5 && list[2] == 0)
                {
                    var nameLength = BinaryPrimitives.ReadUInt16BigEndian(list[3..]);
                    if (5 + nameLength <= list.Length)
                    {
                        host = Normalize(Encoding.ASCII.GetString(list.Slice(5, nameLength)));
                    }
                }

                return Verdict.Complete;
            }

            offset += length;
        }

        return Verdict.Complete;
    }

    /// <summary>
    /// The Host header of an HTTP/1 request, without its port. <paramref name="refused"/> says the request must
    /// not pass whatever the rules: a CONNECT, or an absolute URL naming a host other than its Host header
    /// (servers route by the URL: it would reach a site the Host header does not name).
    /// </summary>
    public static Verdict ReadHttpHost(ReadOnlySpan<byte> data, out string? host, out bool refused)
    {
        host = null;
        refused = false;
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return Verdict.Incomplete;
        }

        var head = Encoding.ASCII.GetString(data[..end]);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        string? urlHost = null;
        if (requestLine.Length >= 2)
        {
            if (requestLine[0].Equals("CONNECT", StringComparison.OrdinalIgnoreCase))
            {
                refused = true;
                return Verdict.Complete;
            }

            if (requestLine[1].Contains("://", StringComparison.Ordinal))
            {
                urlHost = Uri.TryCreate(requestLine[1], UriKind.Absolute, out var url) ? Normalize(url.Host) : null;
                refused = urlHost is null;
            }
        }

        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                var value = line[(colon + 1)..].Trim();
                if (value.StartsWith('['))
                {
                    return Verdict.Complete; // an IPv6 literal names no domain
                }

                var port = value.LastIndexOf(':');
                host = Normalize(port >= 0 ? value[..port] : value);
                refused |= urlHost is not null && urlHost != host;
                return Verdict.Complete;
            }
        }

        refused |= urlHost is not null;
        return Verdict.Complete;
    }

    // A DNS name or nothing: letters, digits, hyphens and underscores in labels of at most 63 characters.
    private static string? Normalize(string host)
    {
        host = host.Trim().TrimEnd('.').ToLowerInvariant();
        return host.Length is > 0 and <= 253
            && host.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            ? host : null;
    }

    private static bool Skip(ReadOnlySpan<byte> data, ref int offset, int lengthBytes)
    {
        if (offset + lengthBytes > data.Length)
        {
            return false;
        }

        var length = lengthBytes == 1 ? data[offset] : BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
        offset += lengthBytes + length;
        return offset <= data.Length;
    }
}
