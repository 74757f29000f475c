using System.Text.RegularExpressions;
using Paddock.Core.Sandboxes;

namespace Paddock.Core.Tests.Sandboxes;

public class SandboxIdTests
{
    [Fact]
    public void New_HasE2bShape_AndIsUnique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SandboxId.New()).ToList();
        Assert.All(ids, id => Assert.Matches(new Regex("^i[a-z0-9]{20}$"), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("iabc123", "iabc123")]
    [InlineData("iabc123-6532622b", "iabc123")]
    [InlineData("iabc-x-y", "iabc")]
    public void TryNormalize_DropsSuffix(string raw, string expected)
    {
        Assert.True(SandboxId.TryNormalize(raw, out var id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-abc")]
    [InlineData("IABC")]
    [InlineData("i_abc")]
    [InlineData("i abc")]
    [InlineData("i%2e%2e")]
    public void TryNormalize_RejectsNonIds(string raw) => Assert.False(SandboxId.TryNormalize(raw, out _));
}
