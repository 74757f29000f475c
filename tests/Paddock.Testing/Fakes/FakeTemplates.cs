using Paddock.Core.Templates;

namespace Paddock.Testing.Fakes;

public sealed class FakeTemplates : ITemplateCatalog
{
    private static readonly TemplateInfo s_base = new("base", ["code-interpreter-v1"]);

    public TemplateInfo? Find(string nameOrAlias) => nameOrAlias is "base" or "code-interpreter-v1" ? s_base : null;

    public IReadOnlyList<TemplateStatus> List() => [new TemplateStatus(s_base, "fake", "ready")];

    public Task<TemplateInfo?> ResolveAsync(string nameOrAlias, CancellationToken cancellationToken) => Task.FromResult(Find(nameOrAlias));
}
