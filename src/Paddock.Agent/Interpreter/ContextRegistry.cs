namespace Paddock.Agent.Interpreter;

/// <summary>
/// The code contexts of the sandbox, listed in the order they were made: the default python and javascript
/// ones first, there from the start as in E2B (their kernels start on first use, so a sandbox that never
/// runs code pays nothing for them), then a default for any other language on its first use, then the
/// created ones.
/// </summary>
internal sealed class ContextRegistry
{
    private readonly AgentState _state;
    private readonly Lock _gate = new();
    private readonly List<CodeContext> _contexts = [];
    private readonly Dictionary<string, CodeContext> _defaults = new(StringComparer.Ordinal);

    public ContextRegistry(AgentState state)
    {
        _state = state;
        foreach (var language in KernelSpec.DefaultLanguages)
        {
            _ = Default(language);
        }
    }

    public IReadOnlyList<CodeContext> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _contexts];
            }
        }
    }

    public CodeContext? Find(string id)
    {
        lock (_gate)
        {
            return _contexts.Find(c => c.Id == id);
        }
    }

    /// <summary>The default context of a language; null when this sandbox has no kernel for it.</summary>
    public CodeContext? Default(string language)
    {
        lock (_gate)
        {
            if (_defaults.TryGetValue(language, out var existing))
            {
                return existing;
            }

            var created = Create(language, null);
            if (created is not null)
            {
                _defaults[language] = created;
            }

            return created;
        }
    }

    /// <summary>A new context; null when this sandbox has no kernel for that language.</summary>
    public CodeContext? Create(string language, string? cwd)
    {
        if (KernelSpec.For(language) is not { } spec)
        {
            return null;
        }

        var context = new CodeContext(Guid.NewGuid().ToString(), spec, cwd, _state);
        lock (_gate)
        {
            _contexts.Add(context);
        }

        return context;
    }

    public async Task<bool> RemoveAsync(string id)
    {
        CodeContext? context;
        lock (_gate)
        {
            context = _contexts.Find(c => c.Id == id);
            if (context is null)
            {
                return false;
            }

            _contexts.Remove(context);
            foreach (var language in _defaults.Where(d => d.Value == context).Select(d => d.Key).ToList())
            {
                _defaults.Remove(language);
            }
        }

        await context.DisposeAsync();
        return true;
    }
}
