using System.Text.Json;
using Paddock.Core.Errors;

namespace Paddock.Server.Api;

/// <summary>
/// A JSON request body read field by field, so a bad request gets one 400 that names every wrong
/// field and what it should have been. Unknown fields are ignored, as E2B's API does.
/// </summary>
internal sealed class RequestBody
{
    private readonly JsonElement? _root;
    private readonly List<string> _errors = [];

    private RequestBody(JsonElement? root) => _root = root;

    /// <summary>The body's object, when there was one.</summary>
    public JsonElement? Root => _root;

    /// <summary>True when the request had no body (or an empty one).</summary>
    public bool IsEmpty => _root is null;

    public static async Task<RequestBody> ReadAsync(HttpRequest request, bool required, CancellationToken cancellationToken)
    {
        // Kestrel refuses larger bodies first; this holds wherever the API is hosted, and reads no further.
        var tooLarge = $"the request body is larger than {InputLimits.MaxRequestBodyBytes} bytes";
        if (request.ContentLength > InputLimits.MaxRequestBodyBytes)
        {
            throw new BadHttpRequestException(tooLarge, StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > InputLimits.MaxRequestBodyBytes)
            {
                throw new BadHttpRequestException(tooLarge, StatusCodes.Status413PayloadTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \n\r\t"u8).IsEmpty)
        {
            if (required)
            {
                throw new PaddockException(ErrorKind.InvalidArgument, "validation error: a JSON request body is required");
            }

            return new RequestBody(null);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PaddockException(ErrorKind.InvalidArgument, $"validation error: the request body must be a JSON object, not {Describe(document.RootElement.ValueKind)}");
            }

            return new RequestBody(document.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw new PaddockException(ErrorKind.InvalidArgument, $"validation error: the request body is not valid JSON: {ex.Message}");
        }
    }

    public int? Int(string name, bool required = false)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        _errors.Add(value.ValueKind == JsonValueKind.Number
            ? $"'{name}' must be an integer within 32 bits, got {value.GetRawText()}"
            : $"'{name}' must be an integer, got {Describe(value.ValueKind)}");
        return null;
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, false, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        _errors.Add($"'{name}' must be a boolean, got {Describe(value.ValueKind)}");
        return null;
    }

    public string? String(string name, bool required = false)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        _errors.Add($"'{name}' must be a string, got {Describe(value.ValueKind)}");
        return null;
    }

    public Dictionary<string, string>? StringMap(string name)
    {
        if (!TryGet(name, false, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            _errors.Add($"'{name}' must be an object of strings, got {Describe(value.ValueKind)}");
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                _errors.Add($"'{name}.{property.Name}' must be a string, got {Describe(property.Value.ValueKind)}");
                continue;
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return map;
    }

    /// <summary>An object field, for nested settings such as <c>autoResume</c>.</summary>
    public bool? NestedBool(string objectName, string field)
    {
        if (!TryGet(objectName, false, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            _errors.Add($"'{objectName}' must be an object, got {Describe(value.ValueKind)}");
            return null;
        }

        if (!value.TryGetProperty(field, out var inner) || inner.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (inner.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return inner.GetBoolean();
        }

        _errors.Add($"'{objectName}.{field}' must be a boolean, got {Describe(inner.ValueKind)}");
        return null;
    }

    /// <summary>An object field as it was sent, for settings with many shapes (such as <c>network</c>).</summary>
    public JsonElement? Object(string name)
    {
        if (!TryGet(name, false, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            return value;
        }

        // Several readers may ask for the same object (each takes its own settings from it): one complaint is enough.
        var error = $"'{name}' must be an object, got {Describe(value.ValueKind)}";
        if (!_errors.Contains(error))
        {
            _errors.Add(error);
        }

        return null;
    }

    public void AddError(string message) => _errors.Add(message);

    /// <summary>Throws one 400 listing every problem found so far.</summary>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new PaddockException(ErrorKind.InvalidArgument, "validation error: " + string.Join("; ", _errors));
        }
    }

    private bool TryGet(string name, bool required, out JsonElement value)
    {
        value = default;
        if (_root is { } root && root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            _errors.Add($"'{name}' is required");
        }

        return false;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
