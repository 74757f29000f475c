using System.Collections.Concurrent;
using Paddock.Agent.Process;

namespace Paddock.Agent.Interpreter;

/// <summary>The code contexts of the sandbox: one default per language, made on first use, and any created.</summary>
internal sealed class ContextRegistry(AgentState state)
{
    private readonly ConcurrentDictionary<string, CodeContext> _contexts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CodeContext> _defaults = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IEnumerable<CodeContext> All => _contexts.Values;

    public CodeContext? Find(string id) => _contexts.TryGetValue(id, out var context) ? context : null;

    /// <summary>The default context of a language; null when no kernel of that language is installed.</summary>
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

    /// <summary>A new context; null when no kernel of that language is installed.</summary>
    public CodeContext? Create(string language, string? cwd)
    {
        if (KernelSpec.For(language) is not { } spec)
        {
            return null;
        }

        var user = SandboxUser.Find(state.DefaultUser) ?? throw new InvalidOperationException($"the default user '{state.DefaultUser}' does not exist");
        var context = new CodeContext(Guid.NewGuid().ToString(), spec, string.IsNullOrEmpty(cwd) ? state.DefaultWorkdir ?? user.Home : cwd, user);
        _contexts[context.Id] = context;
        return context;
    }

    public async Task<bool> RemoveAsync(string id)
    {
        if (!_contexts.TryRemove(id, out var context))
        {
            return false;
        }

        lock (_gate)
        {
            foreach (var (language, candidate) in _defaults)
            {
                if (candidate == context)
                {
                    _defaults.TryRemove(language, out _);
                }
            }
        }

        await context.DisposeAsync();
        return true;
    }
}
