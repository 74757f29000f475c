using Paddock.Server.Api;

namespace Paddock.Server.Auth;

/// <summary>Every request but <c>GET /health</c> needs a valid <c>X-API-Key</c>.</summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeys keys)
{
    public const string Header = "X-API-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals("/health", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var key = context.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(key))
        {
            await ApiError.WriteAsync(context, StatusCodes.Status401Unauthorized, $"authorization header is missing: send your API key in the {Header} header");
            return;
        }

        if (!keys.IsValid(key))
        {
            await ApiError.WriteAsync(context, StatusCodes.Status401Unauthorized, "Invalid API key, please check the key printed at the server's first start or set with PADDOCK_API_KEY.");
            return;
        }

        await next(context);
    }
}
