using Paddock.Core.Lifecycle;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary><c>POST /sandboxes</c> (v1: timeout 15 s by default, <c>secure</c> optional) and <c>POST /v2/sandboxes</c> (300 s, always secure).</summary>
internal static class CreateSandbox
{
    public static async Task<IResult> V1Async(HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, required: true, cancellationToken);
        var command = Parse(body, E2bTimeouts.V1Default, secure: body.Bool("secure") ?? false);
        return await CreateAsync(command, lifecycle, cancellationToken);
    }

    public static async Task<IResult> V2Async(HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, required: true, cancellationToken);
        var command = Parse(body, E2bTimeouts.V2Default, secure: true);
        return await CreateAsync(command, lifecycle, cancellationToken);
    }

    private static CreateSandboxCommand Parse(RequestBody body, TimeSpan defaultTimeout, bool secure)
    {
        var template = body.String("templateID", required: true);
        var timeout = body.Int("timeout");
        var metadata = body.StringMap("metadata");
        var envVars = body.StringMap("envVars");
        var autoPause = body.Bool("autoPause");
        var autoPauseMemory = body.Bool("autoPauseMemory");
        var autoResume = body.NestedBool("autoResume", "enabled");
        var egress = EgressSettings.ReadCreate(body);
        if (template is { Length: 0 })
        {
            body.AddError("'templateID' must not be empty");
        }

        if (autoPauseMemory == false && autoPause != true)
        {
            body.AddError("autoPauseMemory=false only applies when autoPause is true.");
        }
        else if (autoPauseMemory == false && autoResume == true)
        {
            body.AddError("autoPauseMemory=false (filesystem-only auto-pause) cannot be combined with autoResume: a filesystem-only snapshot cannot be auto-resumed by traffic and must be resumed explicitly.");
        }

        UnbuiltOptions.CheckCreate(body);
        var ingress = IngressSettings.Read(body, secure);
        InputLimits.CheckMetadata(body, metadata);
        InputLimits.CheckEnvVars(body, envVars);

        body.ThrowIfInvalid();
        return new CreateSandboxCommand
        {
            Template = template!,
            Timeout = timeout is { } given ? E2bTimeouts.Seconds(given) : defaultTimeout,
            Metadata = metadata ?? [],
            EnvVars = envVars ?? [],
            AutoPause = autoPause ?? false,
            AutoPauseMemory = autoPauseMemory ?? true,
            AutoResume = autoResume ?? false,
            Secure = secure,
            Egress = egress,
            AllowPublicTraffic = ingress.AllowPublicTraffic,
            MaskRequestHost = ingress.MaskRequestHost,
            HttpsPorts = ingress.HttpsPorts,
        };
    }

    private static async Task<IResult> CreateAsync(CreateSandboxCommand command, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var record = await lifecycle.CreateAsync(command, cancellationToken);
        return Results.Json(SandboxResponse.From(record), ApiJson.Wire.SandboxResponse, statusCode: StatusCodes.Status201Created);
    }
}
