using Paddock.Core.Lifecycle;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;
using Paddock.Core.Templates;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>GET /v2/sandboxes</c> (filters, cursor pagination) and the deprecated <c>GET /sandboxes</c> (running only).</summary>
internal static class ListSandboxes
{
    public static async Task<IResult> V2Async(HttpContext context, LifecycleService lifecycle, ITemplateCatalog templates, CancellationToken cancellationToken)
    {
        var query = ListQueryParser.Parse(context.Request.Query, templates);
        var page = await lifecycle.ListAsync(query, cancellationToken);
        if (page.Next is { } next)
        {
            context.Response.Headers["X-Next-Token"] = next.Encode();
        }

        if (query.States.Contains(SandboxState.Running))
        {
            var running = await lifecycle.CountRunningAsync(query, cancellationToken);
            context.Response.Headers["X-Total-Running"] = running.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Json(page.Items.Select(ListedSandbox.From).ToList(), ApiJson.Wire.ListListedSandbox);
    }

    public static async Task<IResult> V1Async(HttpContext context, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var metadata = ListQueryParser.ParseMetadata(context.Request.Query["metadata"].ToString(), errors);
        if (errors.Count > 0)
        {
            throw new Paddock.Core.Errors.PaddockException(Paddock.Core.Errors.ErrorKind.InvalidArgument, string.Join("; ", errors));
        }

        var all = new List<ListedSandbox>();
        var query = new SandboxListQuery { States = [SandboxState.Running], Metadata = metadata, Limit = ListQueryParser.MaxLimit };
        while (true)
        {
            var page = await lifecycle.ListAsync(query, cancellationToken);
            all.AddRange(page.Items.Select(ListedSandbox.From));
            if (page.Next is null)
            {
                break;
            }

            query = query with { After = page.Next };
        }

        return Results.Json(all, ApiJson.Wire.ListListedSandbox);
    }
}
