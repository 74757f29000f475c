using Microsoft.Extensions.Options;

namespace Paddock.Server.Configuration;

/// <summary>
/// Binds one options class from the <c>Paddock</c> configuration (or a section under it) with
/// <see cref="OptionsBinder"/>, and validates it with the class's own rules: bad values and broken rules
/// of every options class are reported together when the server starts (<c>ValidateOnStart</c>).
/// </summary>
internal sealed class PaddockOptionsSetup<TOptions>(IConfiguration configuration, string section, Func<TOptions, IEnumerable<string>> rules)
    : IConfigureOptions<TOptions>, IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly List<string> _parseErrors = [];

    public void Configure(TOptions options)
    {
        lock (_parseErrors)
        {
            _parseErrors.Clear();
            OptionsBinder.Bind(configuration.GetSection(section), options, _parseErrors);
        }
    }

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        List<string> failures;
        lock (_parseErrors)
        {
            failures = [.. _parseErrors];
        }

        // A value that did not parse kept its valid default, so the rules never repeat a parse error.
        failures.AddRange(rules(options));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
