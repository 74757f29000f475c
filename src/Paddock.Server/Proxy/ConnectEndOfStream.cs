using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Paddock.Server.Proxy;

/// <summary>
/// A Connect server stream from a sandbox (<c>application/connect+json</c> or <c>+proto</c>: commands, watches) that
/// ends the way a Connect client understands when the sandbox goes away under it: if reading from the sandbox fails
/// at a message boundary, the stream ends with an end-of-stream message carrying <c>unavailable</c>, which E2B's SDKs
/// (every release) raise as their "sandbox ended" <c>TimeoutError</c>, instead of a reset connection, which older
/// ones surface as an unknown error. The same when the sandbox stops running (<paramref name="stopped"/>: paused,
/// killed, timed out) while the stream waits: a paused sandbox's agent answers nothing until it is resumed, and a
/// caller must not wait for that. A failure inside a message cannot be mended and still resets the stream.
/// </summary>
internal sealed class ConnectEndOfStream(HttpContent inner, Func<string> reason, CancellationToken stopped) : HttpContent
{
    public static bool Applies(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } type && type.StartsWith("application/connect+", StringComparison.OrdinalIgnoreCase);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var source = await inner.ReadAsStreamAsync(cancellationToken);
        await source.CopyToAsync(stream, cancellationToken);
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new GuardedStream(await inner.ReadAsStreamAsync(cancellationToken), reason, stopped);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Follows the envelope framing (a flag byte, a 4-byte length, the message) to know where messages end.</summary>
    private sealed class GuardedStream(Stream source, Func<string> reason, CancellationToken stopped) : Stream
    {
        private const byte EndStreamFlag = 0x02;
        private readonly byte[] _header = new byte[5];
        private int _headerFilled;
        private long _bodyLeft;
        private bool _ended;
        private byte[]? _ending;
        private int _endingSent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_ending is not null)
            {
                var count = Math.Min(buffer.Length, _ending.Length - _endingSent);
                _ending.AsMemory(_endingSent, count).CopyTo(buffer);
                _endingSent += count;
                return count;
            }

            int read;
            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopped);
                read = await source.ReadAsync(buffer, either.Token);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested && AtBoundary)
            {
                _ending = Ending(reason());
                return await ReadAsync(buffer, cancellationToken);
            }

            Track(buffer.Span[..read]);
            return read;
        }

        // The proxy copies bodies asynchronously; nothing reads this synchronously.
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read the stream asynchronously");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                source.Dispose();
            }

            base.Dispose(disposing);
        }

        // Between two messages, and before the sandbox sent its own end of stream.
        private bool AtBoundary => !_ended && _headerFilled == 0 && _bodyLeft == 0;

        private void Track(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                if (_bodyLeft > 0)
                {
                    var skip = (int)Math.Min(_bodyLeft, bytes.Length);
                    _bodyLeft -= skip;
                    bytes = bytes[skip..];
                    continue;
                }

                var take = Math.Min(5 - _headerFilled, bytes.Length);
                bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += take;
                bytes = bytes[take..];
                if (_headerFilled == 5)
                {
                    _ended |= (_header[0] & EndStreamFlag) != 0;
                    _bodyLeft = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(1));
                    _headerFilled = 0;
                }
            }
        }

        private static byte[] Ending(string message)
        {
            var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(
                new ConnectEndError(new ConnectError("unavailable", message)), ProxyJson.Default.ConnectEndError));
            var envelope = new byte[5 + json.Length];
            envelope[0] = EndStreamFlag;
            BinaryPrimitives.WriteUInt32BigEndian(envelope.AsSpan(1), (uint)json.Length);
            json.CopyTo(envelope, 5);
            return envelope;
        }
    }
}

/// <summary>A Connect end-of-stream message with an error.</summary>
internal sealed record ConnectEndError([property: System.Text.Json.Serialization.JsonPropertyName("error")] ConnectError Error);

/// <summary>A Connect error: its code name and message.</summary>
internal sealed record ConnectError(
    [property: System.Text.Json.Serialization.JsonPropertyName("code")] string Code,
    [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);
