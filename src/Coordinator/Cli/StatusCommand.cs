using System.CommandLine;
using Spectre.Console;

namespace Replication.Coordinator.Cli;

/// <summary><c>replication status --url http://host:port</c>: a running cluster's members, leases and progress, read from one node.</summary>
internal static class StatusCommand
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var url = new Option<string>("--url")
        {
            Description = "A node's management endpoint (replication.management.http), e.g. http://10.0.0.5:8558",
            DefaultValueFactory = _ => "http://127.0.0.1:8558/",
        };
        var command = new Command("status", "Show the cluster's members, leases per node and per-table progress, from any node's management endpoints");
        command.Options.Add(url);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = parse.GetValue(url)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                Console.Error.WriteLine($"error: --url must be an http:// address, e.g. http://127.0.0.1:8558 (got '{text}')");
                return ExitCodes.ManagementUnreachable;
            }
            using var client = new ManagementStatusClient(WithTrailingSlash(address), RequestTimeout);
            var status = await client.FetchAsync(cancellationToken).ConfigureAwait(false);
            StatusView.Write(Output(), status);
            foreach (var error in status.Errors) Console.Error.WriteLine($"error: {error}");
            return status.Errors.Count == 0 ? ExitCodes.Success : ExitCodes.ManagementUnreachable;
        });
        return command;
    }

    // Without the slash, relative paths would replace the last segment of a base such as http://host/replication.
    private static Uri WithTrailingSlash(Uri address) => address.AbsolutePath.EndsWith('/') ? address : new Uri(address + "/");

    private static IAnsiConsole Output()
    {
        var redirected = Console.IsOutputRedirected;
        // Spectre trusts TERM even when stdout is a file or a pipe; escape codes there are noise, so turn them off.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        // Redirected output has no terminal width; a wide fixed one keeps each table row on one line.
        if (redirected) console.Profile.Width = 200;
        return console;
    }
}
