using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace Paddock.Server.Configuration;

/// <summary>
/// Binds a configuration section onto an options object, property by property, and collects every value
/// that does not parse instead of stopping at the first (the framework's binder throws on the first), so one
/// start reports every bad setting. Unset settings keep the options class's own default.
/// </summary>
internal static class OptionsBinder
{
    public static void Bind(IConfiguration section, object target, List<string> errors)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || section[property.Name] is not { } raw || string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            try
            {
                property.SetValue(target, type == typeof(string) ? raw : TypeDescriptor.GetConverter(type).ConvertFromInvariantString(raw));
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
            {
                errors.Add($"{property.Name} must be {Describe(type)} (got '{raw}')");
            }
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(TimeSpan) => "a duration such as 01:00:00 or 30.00:00:00",
        _ when type == typeof(int) || type == typeof(long) => "an integer",
        _ when type == typeof(bool) => "true or false",
        _ => string.Create(CultureInfo.InvariantCulture, $"a {type.Name}"),
    };
}
