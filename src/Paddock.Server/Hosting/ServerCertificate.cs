using System.Security.Cryptography.X509Certificates;

namespace Paddock.Server.Hosting;

/// <summary>
/// The certificate the server's https:// addresses present: a PEM certificate file (the leaf first, then any
/// intermediates, as a "fullchain" file has them) and its PEM private key. For host-name routing it is a wildcard
/// certificate for <c>*.&lt;domain&gt;</c>; clients must be able to build its chain, so intermediates are sent too.
/// </summary>
internal sealed record ServerCertificate(X509Certificate2 Leaf, X509Certificate2Collection Intermediates)
{
    /// <summary>Reads the pair; throws (with the file's problem) when either cannot be read or they do not match.</summary>
    public static ServerCertificate Load(string certificatePath, string keyPath)
    {
        var leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        return new ServerCertificate(leaf, intermediates);
    }
}
