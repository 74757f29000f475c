using Paddock.Core.Errors;
using Paddock.Core.Templates;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Templates;

/// <summary>
/// <c>GET /templates/aliases/{alias}</c>: the template an id or alias (optionally <c>name:tag</c>) names, or 404.
/// E2B's SDKs ask this for <c>Template.exists(name)</c>. Every template of this server belongs to its one team,
/// so a known name is always 200 (E2B's 403 is for another team's template).
/// </summary>
internal static class GetTemplateAlias
{
    private const string DefaultTag = "default";

    public static IResult Handle(string alias, ITemplateCatalog templates)
    {
        var colon = alias.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? alias : alias[..colon];
        var tag = colon < 0 ? null : alias[(colon + 1)..];
        var template = templates.Find(name) ?? throw new PaddockException(ErrorKind.NotFound, $"template '{name}' not found");
        if (tag is not null && tag != DefaultTag)
        {
            throw new PaddockException(ErrorKind.NotFound, $"tag '{tag}' does not exist for template '{template.Id}'");
        }

        return Results.Json(new TemplateAliasResponse(template.Id, Public: false), ApiJson.Wire.TemplateAliasResponse);
    }
}
