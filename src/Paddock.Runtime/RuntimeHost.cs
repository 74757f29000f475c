using Paddock.Runtime.Host;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime;

/// <summary>Start and stop of the runtime as a whole: host checks, the default template, template mounts.</summary>
public sealed class RuntimeHost
{
    private readonly HostSetup _host;
    private readonly TemplateCatalog _templates;
    private readonly RuntimeOptions _options;

    internal RuntimeHost(HostSetup host, TemplateCatalog templates, RuntimeOptions options)
    {
        _host = host;
        _templates = templates;
        _options = options;
    }

    /// <summary>Checks and prepares the host, and starts preparing the default template in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _host.PrepareAsync(cancellationToken);
        _ = _templates.WarmUpAsync(TemplateCatalog.Base.Id);
    }

    /// <summary>Unmounts the template views when no sandbox is left on this data dir.</summary>
    public void ReleaseIfIdle()
    {
        if (!Directory.Exists(_options.SandboxesDir) || !Directory.EnumerateFileSystemEntries(_options.SandboxesDir).Any())
        {
            _templates.ReleaseMounts();
        }
    }
}
