using System.Diagnostics;
using Paddock.Testing.Servers;

namespace Paddock.Client.Tests;

/// <summary>
/// The SDK as users get it: packed, then referenced as a package from a new console app on each target framework
/// (net8.0 for LTS users, net10.0), restored from the package alone, and run against a live server.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class PackageTests(LiveServer live) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-sdk-package-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ThePackedSdk_WorksFromANet8AndANet10ConsoleApp()
    {
        var repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ServerProcess.AgentPath)!, "..", ".."));
        var feed = Path.Combine(_dir, "feed");

        // A version of its own, so no package cache holds an older build under the same number.
        var version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
        await RunAsync("dotnet", ["pack", Path.Combine(repo, "src", "Paddock.Client"), "-c", "Release", "-o", feed, $"-p:Version={version}", "--nologo", "-v", "quiet"], _dir);
        Assert.True(File.Exists(Path.Combine(feed, $"Paddock.Client.{version}.nupkg")));
        Assert.True(File.Exists(Path.Combine(feed, $"Paddock.Client.{version}.snupkg")));

        // The machine's package sources, plus the folder the SDK was packed into.
        await File.WriteAllTextAsync(Path.Combine(_dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="paddock-under-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            var app = Path.Combine(_dir, framework);
            Directory.CreateDirectory(app);
            await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>{framework}</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Paddock.Client" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Paddock.Client;

                await using var sandbox = await Sandbox.CreateAsync();
                var result = await sandbox.Commands.RunAsync($"echo from {args[0]}");
                Console.Write(result.Stdout);
                try
                {
                    await sandbox.Commands.RunAsync("exit 3");
                }
                catch (CommandExitException ex)
                {
                    Console.WriteLine(ex.Result.ExitCode);
                }
                """);
            await RunAsync("dotnet", ["build", app, "-c", "Release", "--nologo", "-v", "quiet", "-o", Path.Combine(app, "out")], _dir);

            // This machine has only the .NET 10 runtime: the net8.0 build runs on it, as an LTS user's would on .NET 8.
            var output = await RunAsync("dotnet", [Path.Combine(app, "out", "app.dll"), framework], _dir, new()
            {
                ["PADDOCK_API_URL"] = live.Server.BaseAddress.ToString(),
                ["PADDOCK_API_KEY"] = ServerProcess.ApiKey,
                ["DOTNET_ROLL_FORWARD"] = "Major",
            });
            Assert.Equal($"from {framework}\n3\n", output);
        }
    }

    private static async Task<string> RunAsync(string file, string[] args, string cwd, Dictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = cwd };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? [])
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stdout}{await stderr}");
        return await stdout;
    }
}
