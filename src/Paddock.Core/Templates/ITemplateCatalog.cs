namespace Paddock.Core.Templates;

/// <summary>The templates sandboxes can be created from.</summary>
public interface ITemplateCatalog
{
    /// <summary>
    /// Finds a template by id or alias and waits until its root filesystem is ready to use (the first
    /// use of a template may build it). Returns null if no template has that name.
    /// </summary>
    Task<TemplateInfo?> ResolveAsync(string nameOrAlias, CancellationToken cancellationToken);

    /// <summary>Finds a template by id or alias without waiting for it to be built.</summary>
    TemplateInfo? Find(string nameOrAlias);

    /// <summary>Every template, with its build and whether it is ready.</summary>
    IReadOnlyList<TemplateStatus> List();
}

/// <summary>A template's identity.</summary>
public sealed record TemplateInfo(string Id, IReadOnlyList<string> Aliases);

/// <summary>A template and its current build: <c>ready</c>, <c>building</c>, <c>waiting</c> (built on first use) or <c>error</c>.</summary>
public sealed record TemplateStatus(TemplateInfo Template, string BuildId, string BuildStatus);
