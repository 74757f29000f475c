using Paddock.Core.Lifecycle;
using Paddock.Core.Templates;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Templates;

/// <summary><c>GET /templates</c>: the templates sandboxes can be created from, in E2B's <c>Template</c> shape.</summary>
internal static class ListTemplates
{
    public static IResult Handle(ITemplateCatalog templates, LifecycleService lifecycle) =>
        Results.Json(
            templates.List().Select(t => new TemplateResponse(
                t.Template.Id, t.BuildId, lifecycle.Options.CpuCount, lifecycle.Options.MemoryMB, false, t.Template.Aliases, EnvdCompatibility.Version, t.BuildStatus)).ToList(),
            ApiJson.Wire.ListTemplateResponse);
}
