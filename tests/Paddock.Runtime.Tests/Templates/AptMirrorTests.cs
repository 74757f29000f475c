using Paddock.Runtime.Templates;

namespace Paddock.Runtime.Tests.Templates;

public sealed class AptMirrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-apt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Detect_ReadsDeb822Sources_SkippingSecurityAndDisabled()
    {
        var sources = Path.Combine(_dir, "sources.list.d");
        Directory.CreateDirectory(sources);
        File.WriteAllText(Path.Combine(sources, "a.sources"), """
            Types: deb
            URIs: http://disabled.example/debian
            Suites: bookworm
            Components: main
            Enabled: no

            Types: deb
            # a comment
            URIs: http://security.example/debian-security
            Suites: bookworm bookworm-security
            Components: main

            Types: deb deb-src
            URIs: http://mirror.example/debian
            Suites: bookworm bookworm-updates
            Components: main
            """.Replace("            ", string.Empty, StringComparison.Ordinal));

        Assert.Equal("http://mirror.example/debian", AptMirror.Detect("bookworm", sources, Path.Combine(_dir, "none")));
    }

    [Fact]
    public void Detect_ReadsOneLineSources_WithOptions()
    {
        var list = Path.Combine(_dir, "sources.list");
        File.WriteAllLines(list, ["# deb http://commented.example/debian bookworm main", "deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main"]);
        Assert.Equal("http://one.example/debian", AptMirror.Detect("bookworm", Path.Combine(_dir, "none"), list));
    }

    [Fact]
    public void Detect_WithoutASourceForTheSuite_SaysWhatIsMissing()
    {
        var list = Path.Combine(_dir, "sources.list");
        File.WriteAllLines(list, ["deb http://one.example/debian trixie main"]);
        var ex = Assert.Throws<InvalidOperationException>(() => AptMirror.Detect("bookworm", Path.Combine(_dir, "none"), list));
        Assert.Contains("bookworm", ex.Message, StringComparison.Ordinal);
    }
}
