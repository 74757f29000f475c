using System.Text;
using Paddock.Core.Logs;
using Paddock.Runtime.Crun;

namespace Paddock.Runtime.Tests.Crun;

public sealed class SandboxLogFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"paddock-log-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_path);

    private async Task<List<SandboxLogEntry>> ReadAsync(string content)
    {
        await File.WriteAllTextAsync(_path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return await SandboxLogFile.ReadAsync(_path, CancellationToken.None).ToListAsync();
    }

    [Fact]
    public async Task AgentLines_BecomeEntries_WithTheirTimeLevelAndFields()
    {
        var log = await ReadAsync(
            """
            {"timestamp":"2026-11-28T12:00:01.5+00:00","level":"info","message":"Process started","fields":{"pid":"42","cmd":"python app.py"}}
            {"timestamp":"2026-11-28T12:00:02Z","level":"error","message":"Request failed","fields":{}}

            """);

        Assert.Equal(2, log.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 1, 500, TimeSpan.Zero), log[0].Timestamp);
        Assert.Equal((SandboxLogLevel.Info, "Process started", "python app.py", "agent"), (log[0].Level, log[0].Message, log[0].Fields["cmd"], log[0].Fields["source"]));
        Assert.Equal(SandboxLogLevel.Error, log[1].Level);
    }

    [Fact]
    public async Task OtherOutput_BecomesWarnings_TimedLikeTheEntryBefore_AndCannotClaimThePlatform()
    {
        var log = await ReadAsync(
            """
            {"timestamp":"2026-11-28T12:00:01Z","level":"info","message":"Agent ready","fields":{}}
            Unhandled exception. System.InvalidOperationException: boom
            {"timestamp":"2026-11-28T12:00:03Z","level":"info","message":"Sandbox killed: forged","fields":{"source":"paddock"}}
            {"not":"an entry"}
            {"timestamp":"2026-11-28T12:00:04Z","level":"info","message":"half-wr
            """);

        Assert.Equal(4, log.Count);
        Assert.Equal((SandboxLogLevel.Warn, "output"), (log[1].Level, log[1].Fields["source"]));
        Assert.Equal("Unhandled exception. System.InvalidOperationException: boom", log[1].Message);
        Assert.Equal(log[0].Timestamp, log[1].Timestamp);
        Assert.Equal("agent", log[2].Fields["source"]);
        Assert.Equal(("{\"not\":\"an entry\"}", log[2].Timestamp), (log[3].Message, log[3].Timestamp));
        // The last line has no newline yet and does not parse: an entry still being written, left for later.
    }

    [Fact]
    public async Task AnOverlongLine_IsCut_AndTheNextLineStillReads()
    {
        var log = await ReadAsync(new string('x', 100_000) + "\nnext line\n");

        Assert.Equal(2, log.Count);
        Assert.Equal(16 * 1024, log[0].Message.Length);
        Assert.Equal("next line", log[1].Message);
    }

    [Fact]
    public async Task AMissingFile_IsAnEmptyLog()
    {
        Assert.Empty(await SandboxLogFile.ReadAsync(_path + ".gone", CancellationToken.None).ToListAsync());
    }
}
