using Paddock.Core.Templates;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Templates;

/// <summary>
/// The templates this server offers. A template is ready once its root filesystem is built (or found
/// in the cache) and mounted id-mapped for the sandboxes' user namespace range; the first request for
/// a template waits for that, later ones do not.
/// </summary>
public sealed class TemplateCatalog : ITemplateCatalog
{
    /// <summary>The default template: Debian bookworm with Python, Jupyter, the scientific stack and Node.js.</summary>
    public static readonly TemplateInfo Base = new("base", ["code-interpreter-v1"]);

    private static readonly TemplateInfo[] s_templates = [Base];

    private readonly RuntimeOptions _options;
    private readonly TemplateBuilder _builder;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<string>> _ready = new(StringComparer.Ordinal);

    internal TemplateCatalog(RuntimeOptions options, TemplateBuilder builder)
    {
        _options = options;
        _builder = builder;
    }

    /// <summary>Every template.</summary>
    public static IReadOnlyList<TemplateInfo> All => s_templates;

    /// <inheritdoc />
    public TemplateInfo? Find(string nameOrAlias) =>
        s_templates.FirstOrDefault(t => t.Id == nameOrAlias || t.Aliases.Contains(nameOrAlias));

    /// <inheritdoc />
    public async Task<TemplateInfo?> ResolveAsync(string nameOrAlias, CancellationToken cancellationToken)
    {
        var template = Find(nameOrAlias);
        if (template is null)
        {
            return null;
        }

        await EnsureReady(template.Id).WaitAsync(cancellationToken);
        return template;
    }

    /// <inheritdoc />
    public IReadOnlyList<TemplateStatus> List()
    {
        lock (_gate)
        {
            return s_templates.Select(t => new TemplateStatus(t, TemplateBuilder.RecipeHash(t.Id), _ready.TryGetValue(t.Id, out var build)
                ? build.IsCompletedSuccessfully ? "ready" : build.IsFaulted || build.IsCanceled ? "error" : "building"
                : "waiting")).ToList();
        }
    }

    /// <summary>Starts preparing a template without waiting (a server warms its default template at start).</summary>
    public Task WarmUpAsync(string templateId) => EnsureReady(templateId);

    /// <summary>The id-mapped lower directory of a ready template.</summary>
    internal string LowerDirOf(string templateId) => MountPointOf(templateId);

    /// <summary>Unmounts template views; called when no sandbox uses them any more.</summary>
    internal void ReleaseMounts()
    {
        lock (_gate)
        {
            foreach (var mountPoint in MountTable.MountPointsUnder(_options.TemplateMountsDir))
            {
                if (mountPoint != _options.TemplateMountsDir.TrimEnd('/'))
                {
                    Libc.Umount2(mountPoint, Libc.MntDetach);
                    Directory.Delete(mountPoint);
                }
            }

            _ready.Clear();
        }
    }

    // The mount point names the recipe hash, so a rebuilt template gets a fresh view while sandboxes
    // created before keep the old one.
    private string MountPointOf(string templateId) =>
        Path.Combine(_options.TemplateMountsDir, $"{templateId}-{TemplateBuilder.RecipeHash(templateId)}");

    private Task<string> EnsureReady(string templateId)
    {
        lock (_gate)
        {
            if (_ready.TryGetValue(templateId, out var existing) && !existing.IsFaulted && !existing.IsCanceled)
            {
                return existing;
            }

            var task = Task.Run(async () =>
            {
                var rootfs = await _builder.EnsureBuiltAsync(templateId, CancellationToken.None);
                var mountPoint = MountPointOf(templateId);
                await IdMappedMount.EnsureAsync(rootfs, mountPoint, _options.HostIdBase, _options.HostIdCount, CancellationToken.None);
                return mountPoint;
            });
            _ready[templateId] = task;
            return task;
        }
    }
}
