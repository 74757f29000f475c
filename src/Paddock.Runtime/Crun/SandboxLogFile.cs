using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Paddock.Core.Logs;

namespace Paddock.Runtime.Crun;

/// <summary>
/// Reads a sandbox's log file: the output of its init (the agent), which writes one JSON entry per line
/// (see the agent's AgentLog). Anything else in it (crun's errors, a crash's output, whatever code in the
/// sandbox writes to the agent's stderr) becomes a <c>warn</c> entry with the line as its message. The file
/// is written from inside the sandbox, so nothing in it is trusted: lines are bounded, every entry is
/// marked as the agent's, and a bad line never stops the read.
/// </summary>
internal static class SandboxLogFile
{
    private const int MaxLineBytes = 16 * 1024;

    public static async IAsyncEnumerable<SandboxLogEntry> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            yield break;
        }

        await using (stream)
        {
            // Lines with no timestamp of their own take the one before them; the first ones the file's.
            var last = new DateTimeOffset(File.GetCreationTimeUtc(path), TimeSpan.Zero);
            var buffer = new byte[MaxLineBytes];
            var filled = 0;
            var skipping = false;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    // A last line without its newline may be an entry still being written: leave it for the next read.
                    if (filled > 0 && !skipping && (buffer[0] != (byte)'{' || TryParseJson(new ReadOnlySpan<byte>(buffer, 0, filled)) is not null))
                    {
                        yield return Parse(buffer, 0, filled, ref last);
                    }

                    yield break;
                }

                filled += read;
                var start = 0;
                int newline;
                while ((newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
                {
                    if (!skipping && newline > start)
                    {
                        yield return Parse(buffer, start, newline - start, ref last);
                    }

                    skipping = false;
                    start = newline + 1;
                }

                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                if (filled == buffer.Length)
                {
                    // A line longer than the buffer: keep its beginning, drop the rest up to its newline.
                    if (!skipping)
                    {
                        yield return Parse(buffer, 0, filled, ref last);
                    }

                    skipping = true;
                    filled = 0;
                }
            }
        }
    }

    private static SandboxLogEntry Parse(byte[] buffer, int offset, int count, ref DateTimeOffset last)
    {
        var entry = TryParseJson(new ReadOnlySpan<byte>(buffer, offset, count));
        if (entry is not null)
        {
            last = entry.Timestamp;
            return entry;
        }

        var text = Encoding.UTF8.GetString(buffer, offset, count).TrimEnd('\r');
        return new SandboxLogEntry(last, SandboxLogLevel.Warn, text, new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "output" });
    }

    private static SandboxLogEntry? TryParseJson(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[0] != (byte)'{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("timestamp", out var timestamp)
                || timestamp.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(timestamp.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                || !root.TryGetProperty("message", out var message)
                || message.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("fields", out var given) && given.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in given.EnumerateObject())
                {
                    fields[field.Name] = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
                }
            }

            // Written from inside the sandbox: it may not pass itself off as the platform.
            fields["source"] = "agent";
            var level = root.TryGetProperty("level", out var raw) && raw.ValueKind == JsonValueKind.String ? Level(raw.GetString()) : SandboxLogLevel.Info;
            return new SandboxLogEntry(at.ToUniversalTime(), level, message.GetString()!, fields);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static SandboxLogLevel Level(string? name) => name switch
    {
        "debug" => SandboxLogLevel.Debug,
        "warn" or "warning" => SandboxLogLevel.Warn,
        "error" or "fatal" or "panic" => SandboxLogLevel.Error,
        _ => SandboxLogLevel.Info,
    };
}
