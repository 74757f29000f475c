using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Paddock.Server.Configuration;
using Paddock.Server.Hosting;

namespace Paddock.Server.Tests;

/// <summary>
/// The HTTPS certificate settings: a PEM certificate and key that go together, checked before the server starts,
/// with the intermediates of a full-chain file kept so clients can build the chain.
/// </summary>
public sealed class TlsSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("PADDOCK_TLS_CERT", "Paddock:TlsCert")]
    [InlineData("PADDOCK_TLS_KEY", "Paddock:TlsKey")]
    [InlineData("PADDOCK_DOMAIN", "Paddock:Domain")]
    public void EnvironmentVariable_MapsToSetting(string variable, string expected) =>
        Assert.Equal(expected, PaddockEnvironmentVariables.KeyOf(variable));

    [Fact]
    public void NoCertificate_IsPlainHttp_AndValid()
    {
        var options = Options(new());
        Assert.Null(options.TlsCert);
        Assert.Null(options.TlsKey);
    }

    [Fact]
    public void AFullChainFile_AndItsKey_Load_WithTheIntermediate()
    {
        var (certificate, key, leaf) = WriteWildcardCertificate("sandbox.example.com");
        var options = Options(new() { ["Paddock:TlsCert"] = certificate, ["Paddock:TlsKey"] = key });

        var loaded = ServerCertificate.Load(options.TlsCert!, options.TlsKey!);
        Assert.Equal(leaf.Thumbprint, loaded.Leaf.Thumbprint);
        Assert.True(loaded.Leaf.HasPrivateKey);
        Assert.Equal("CN=Test intermediate", Assert.Single(loaded.Intermediates).Subject);
        Assert.True(loaded.Leaf.MatchesHostname("8080-iabc.sandbox.example.com"));
    }

    [Fact]
    public void ACertificateWithoutItsKey_OrFilesThatDoNotLoad_StopTheStart()
    {
        var (certificate, _, _) = WriteWildcardCertificate("sandbox.example.com");
        Assert.Contains("set both or neither", Failures(new() { ["Paddock:TlsCert"] = certificate }), StringComparison.Ordinal);
        Assert.Contains("set both or neither", Failures(new() { ["Paddock:TlsKey"] = certificate }), StringComparison.Ordinal);

        var missing = Failures(new() { ["Paddock:TlsCert"] = Path.Combine(_dir, "none.pem"), ["Paddock:TlsKey"] = Path.Combine(_dir, "none.key") });
        Assert.Contains("TlsCert (PADDOCK_TLS_CERT) and TlsKey (PADDOCK_TLS_KEY) cannot be used", missing, StringComparison.Ordinal);

        // A key that is not the certificate's.
        var otherKey = Path.Combine(_dir, "other.key");
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(otherKey, other.ExportPkcs8PrivateKeyPem());
        }

        Assert.Contains("cannot be used", Failures(new() { ["Paddock:TlsCert"] = certificate, ["Paddock:TlsKey"] = otherKey }), StringComparison.Ordinal);
    }

    [Fact]
    public void ACertificateRenewedInPlace_IsPresented_AfterTheNextCheck_AndAHalfWrittenRenewalKeepsTheOldOne()
    {
        var (certificate, key, first) = WriteWildcardCertificate("sandbox.example.com");
        var clock = new ManualClock();
        var source = new ServerCertificateSource(certificate, key, clock, NullLogger.Instance);
        Assert.Equal(first.Thumbprint, source.Context.TargetCertificate.Thumbprint);

        var (_, _, renewed) = WriteWildcardCertificate("sandbox.example.com");
        Touch(certificate, key, TimeSpan.FromMinutes(1));
        Assert.Equal(first.Thumbprint, source.Context.TargetCertificate.Thumbprint);
        clock.Advance(ServerCertificateSource.CheckInterval);
        Assert.Equal(renewed.Thumbprint, source.Context.TargetCertificate.Thumbprint);
        Assert.Equal("CN=Test intermediate", Assert.Single(source.Context.IntermediateCertificates).Subject);

        // The next renewal caught between its two files: this key is not the certificate's.
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(key, other.ExportPkcs8PrivateKeyPem());
        }

        Touch(certificate, key, TimeSpan.FromMinutes(2));
        clock.Advance(ServerCertificateSource.CheckInterval);
        Assert.Equal(renewed.Thumbprint, source.Context.TargetCertificate.Thumbprint);
    }

    private static void Touch(string certificate, string key, TimeSpan ahead)
    {
        File.SetLastWriteTimeUtc(certificate, DateTime.UtcNow + ahead);
        File.SetLastWriteTimeUtc(key, DateTime.UtcNow + ahead);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    // A root, an intermediate and a *.domain leaf; the certificate file holds the leaf then the intermediate.
    private (string Certificate, string Key, X509Certificate2 Leaf) WriteWildcardCertificate(string domain)
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Test root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=Test intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var intermediatePublic = intermediateRequest.Create(root, now.AddMinutes(-5), now.AddDays(1), [1]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest($"CN=*.{domain}", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName($"*.{domain}");
        leafRequest.CertificateExtensions.Add(names.Build());
        var leaf = leafRequest.Create(intermediate, now.AddMinutes(-5), now.AddDays(1), [2]);

        var certificate = Path.Combine(_dir, "fullchain.pem");
        var key = Path.Combine(_dir, "privkey.pem");
        File.WriteAllText(certificate, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(key, leafKey.ExportPkcs8PrivateKeyPem());
        return (certificate, key, leaf);
    }

    private static ServerOptions Options(Dictionary<string, string?> settings)
    {
        using var services = Services(settings);
        return services.GetRequiredService<IOptions<ServerOptions>>().Value;
    }

    private static string Failures(Dictionary<string, string?> settings)
    {
        using var services = Services(settings);
        return string.Join('\n', Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ServerOptions>>().Value).Failures);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddPaddockServer(configuration).BuildServiceProvider();
    }
}
