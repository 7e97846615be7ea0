using System.CommandLine;

namespace Replication.Coordinator.Cli;

/// <summary><c>replication check-config --config FILE</c>: the effective configuration with secrets redacted, or every error.</summary>
internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var command = new Command("check-config", "Print the effective configuration (secrets redacted), or the errors with file:line");
        command.Options.Add(CliOptions.Config);
        command.Options.Add(CliOptions.Set);
        command.SetAction(parse =>
        {
            var loaded = CliOptions.LoadConfiguration(parse);
            if (loaded is null) return ExitCodes.BadConfiguration;
            foreach (var warning in loaded.Warnings) Console.Error.WriteLine($"warning: {warning.Message}");
            Console.WriteLine(loaded.Config.GetConfig("replication").Redacted().Render());
            return ExitCodes.Success;
        });
        return command;
    }
}
