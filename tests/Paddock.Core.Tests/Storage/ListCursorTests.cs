using System.Buffers.Text;
using System.Text;
using Paddock.Core.Storage;

namespace Paddock.Core.Tests.Storage;

public class ListCursorTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Encode_Decode_RoundTrips(bool ascending)
    {
        var cursor = new ListCursor(new DateTimeOffset(2026, 11, 28, 10, 0, 0, 123, TimeSpan.Zero).AddTicks(4567), "iabc123", ascending);
        Assert.True(ListCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
    }

    [Fact]
    public void Encode_UsesE2bFormat()
    {
        var cursor = new ListCursor(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "iabc", Ascending: true);
        var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor.Encode()));
        Assert.Equal("2026-01-02T03:04:05Z__iabc__asc", text);
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("not base64 !")]
    [InlineData("Zm9vX19iYXI")] // "foo__bar": not a time
    [InlineData("MjAyNi0wMS0wMlQwMzowNDowNVpfX2lBQkM")] // upper-case id
    public void TryDecode_RejectsForeignTokens(string token) => Assert.False(ListCursor.TryDecode(token, out _));
}
