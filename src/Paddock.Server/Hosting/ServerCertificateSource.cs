using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace Paddock.Server.Hosting;

/// <summary>
/// The certificate every TLS handshake presents, read again when its files change: certificates for host-name
/// routing are short-lived (an ACME client renews them in place every few weeks), and a server that kept the
/// one it started with would need a restart, ending every sandbox connection, before it expired. The files are
/// looked at no more than every <see cref="CheckInterval"/>; a renewed pair that does not load (a key written
/// before its certificate, say) is ignored until it does, and the one in use stays.
/// </summary>
internal sealed partial class ServerCertificateSource
{
    /// <summary>How long a handshake may present a certificate after its files changed.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private (DateTime Certificate, DateTime Key) _stamps;
    private long _checkedAt;
    private SslStreamCertificateContext _context;

    /// <summary>Loads the pair; throws (with the files' problem) when it cannot be used.</summary>
    public ServerCertificateSource(string certificatePath, string keyPath, TimeProvider time, ILogger logger)
    {
        (_certificatePath, _keyPath, _time, _logger) = (certificatePath, keyPath, time, logger);
        _stamps = Stamps();
        Current = ServerCertificate.Load(certificatePath, keyPath);
        _context = ContextOf(Current);
        _checkedAt = time.GetTimestamp();
    }

    /// <summary>The pair loaded last.</summary>
    public ServerCertificate Current { get; private set; }

    /// <summary>What a handshake presents now: the leaf and its intermediates, read again if the files changed.</summary>
    public SslStreamCertificateContext Context
    {
        get
        {
            var now = _time.GetTimestamp();
            if (_time.GetElapsedTime(Volatile.Read(ref _checkedAt), now) < CheckInterval)
            {
                return Volatile.Read(ref _context);
            }

            lock (_gate)
            {
                if (_time.GetElapsedTime(_checkedAt, now) >= CheckInterval)
                {
                    _checkedAt = now;
                    ReloadIfChanged();
                }

                return _context;
            }
        }
    }

    private void ReloadIfChanged()
    {
        var stamps = Stamps();
        if (stamps == _stamps)
        {
            return;
        }

        try
        {
            var loaded = ServerCertificate.Load(_certificatePath, _keyPath);
            (_stamps, Current) = (stamps, loaded);
            Volatile.Write(ref _context, ContextOf(loaded));
            LogReloaded(_logger, loaded.Leaf.Subject, loaded.Leaf.NotAfter);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            // Tried again at the next check: a renewal may write the two files one after the other.
            LogNotReloaded(_logger, ex.Message);
        }
    }

    private (DateTime, DateTime) Stamps() => (File.GetLastWriteTimeUtc(_certificatePath), File.GetLastWriteTimeUtc(_keyPath));

    private static SslStreamCertificateContext ContextOf(ServerCertificate certificate) =>
        SslStreamCertificateContext.Create(certificate.Leaf, certificate.Intermediates, offline: true);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate reloaded: {Subject}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The TLS certificate files changed but do not load yet; still presenting the previous one: {Problem}")]
    private static partial void LogNotReloaded(ILogger logger, string problem);
}
