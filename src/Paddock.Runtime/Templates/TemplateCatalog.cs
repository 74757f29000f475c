using Paddock.Core.Templates;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Templates;

/// <summary>
/// The templates this server offers. A template is ready once its root filesystem is built (or found
/// in the cache); the first request for a template waits for that, later ones do not. Each sandbox sees
/// it through a view id-mapped to its own host id range (see <see cref="Host.HostIdSlots"/>).
/// </summary>
public sealed class TemplateCatalog : ITemplateCatalog
{
    /// <summary>The default template: Debian bookworm with Python, Jupyter, the scientific stack, R and Node.js.</summary>
    public static readonly TemplateInfo Base = new("base", ["code-interpreter-v1"]);

    /// <summary>
    /// <see cref="Base"/> and a JDK, for the code interpreter's Java kernel: every language of E2B's code-interpreter
    /// template. Apart, so the JDK (about 190 MB) does not grow the default template; built from it on first use.
    /// </summary>
    public static readonly TemplateInfo CodeInterpreterFull = new("code-interpreter-full", []);

    private static readonly TemplateInfo[] s_templates = [Base, CodeInterpreterFull];

    private readonly RuntimeOptions _options;
    private readonly TemplateBuilder _builder;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<string>> _ready = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Template, int Slot), Task<int>> _views = [];

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

        await EnsureBuilt(template.Id).WaitAsync(cancellationToken);
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
    public Task WarmUpAsync(string templateId) => EnsureBuilt(templateId);

    /// <summary>
    /// The read-only lower layer of a ready template as a sandbox in id slot <paramref name="slot"/> sees it:
    /// the template's tree, id-mapped to the slot's host range, as a path overlay can take as its lowerdir
    /// (<c>/proc/self/fd/N</c> of a detached mount: it is in no mount table, so it does not weigh on the
    /// creates of other sandboxes). A view stays open for the next sandbox in the same slot.
    /// </summary>
    internal async Task<string> ViewForAsync(string templateId, int slot, long hostIdBase, CancellationToken cancellationToken)
    {
        Task<int> view;
        lock (_gate)
        {
            var key = (templateId, slot);
            if (!_views.TryGetValue(key, out view!) || view.IsFaulted || view.IsCanceled)
            {
                view = Task.Run(async () =>
                {
                    var rootfs = await EnsureBuilt(templateId);
                    return await IdMappedMount.OpenDetachedAsync(rootfs, hostIdBase, Host.HostIdSlots.RangeSize, CancellationToken.None);
                });
                _views[key] = view;
            }
        }

        var fd = await view.WaitAsync(cancellationToken);
        return $"/proc/self/fd/{fd.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>Drops the views of an id slot this server gave up (no sandbox of it uses them).</summary>
    internal void ReleaseViews(int slot)
    {
        lock (_gate)
        {
            foreach (var key in _views.Keys.Where(k => k.Slot == slot).ToList())
            {
                if (_views.Remove(key, out var view) && view.IsCompletedSuccessfully)
                {
                    Libc.Close(view.Result);
                }
            }
        }
    }

    /// <summary>Drops template views (and unmounts any an earlier version left mounted); called when no sandbox uses them any more.</summary>
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

            foreach (var view in _views.Values.Where(v => v.IsCompletedSuccessfully))
            {
                Libc.Close(view.Result);
            }

            _views.Clear();
        }
    }

    // The view's name carries the recipe hash, so a rebuilt template gets fresh views while sandboxes
    // created before keep the old ones.
    private Task<string> EnsureBuilt(string templateId)
    {
        lock (_gate)
        {
            if (_ready.TryGetValue(templateId, out var existing) && !existing.IsFaulted && !existing.IsCanceled)
            {
                return existing;
            }

            var task = Task.Run(async () =>
            {
                var baseRootfs = TemplateBuilder.BuiltOn(templateId) is { } parent ? await EnsureBuilt(parent) : null;
                return await _builder.EnsureBuiltAsync(templateId, baseRootfs, CancellationToken.None);
            });
            _ready[templateId] = task;
            return task;
        }
    }
}
