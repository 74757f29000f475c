using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Paddock.Cli;

/// <summary>
/// Bad arguments: one line on stderr that says what was wrong and where help is, and exit code 2, instead of
/// System.CommandLine's whole help page and exit code 1.
/// </summary>
internal static partial class ParseErrors
{
    /// <summary>Whether the command line has errors (and no --help or similar that would ignore them).</summary>
    public static bool Found(ParseResult parse) => parse.Errors.Count > 0 && parse.Action is ParseErrorAction;

    public static async Task<int> ReportAsync(ParseResult parse)
    {
        // Some messages span lines ("Must be one of:\n\t'running'…"): one line reads better in a terminal and a log.
        var what = string.Join("; ", parse.Errors.Select(e => Whitespace().Replace(e.Message, " ").Trim().TrimEnd('.')).Distinct());
        await Console.Error.WriteLineAsync($"paddock: {what} (see '{CommandPath(parse)} --help')");
        return ExitCodes.InvalidArgument;
    }

    // "paddock sandbox list": the command the error is about, from the root down.
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            names.Add(result.Parent is null ? "paddock" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    [GeneratedRegex(@"\s*\n\s*")]
    private static partial Regex Whitespace();
}
