using Paddock.Core.Errors;

namespace Paddock.Server.Api;

/// <summary>Maps failures to E2B's error body once, at the edge: domain errors by kind, anything else as 500.</summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (PaddockException ex) when (!context.Response.HasStarted)
        {
            var status = ApiError.StatusOf(ex.Kind);
            if (status >= 500)
            {
                LogFailed(logger, context.Request.Method, context.Request.Path, ex);
            }

            await ApiError.WriteAsync(context, status, E2bErrorText.Of(ex), ex.ErrorCode);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await ApiError.WriteAsync(context, ex.StatusCode, ex.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogFailed(logger, context.Request.Method, context.Request.Path, ex);
            await ApiError.WriteAsync(context, StatusCodes.Status500InternalServerError, $"internal error: {ex.Message}", "internal_server_error");
        }
    }

    [LoggerMessage(100, LogLevel.Error, "{Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, string method, string path, Exception exception);
}
