namespace Replication.Tests.Cli;

public sealed class ConfigurationCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "replication-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public ConfigurationCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    // Two problems on known lines: a value of the wrong type (line 4) and a value out of its set (line 6).
    private const string Bad = """
        replication {
          id = "cli-test"
          full-sync {
            segments = "many"
          }
          mode = sideways
        }
        """;

    [Theory]
    [InlineData("check-config")]
    [InlineData("run")]
    public async Task An_invalid_configuration_exits_with_2_and_names_each_key_with_its_file_and_line(string command)
    {
        var file = Write("bad.conf", Bad);

        var result = await ReplicationCli.RunAsync(command, "--config", file);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}; stderr: {result.Error}; stdout: {result.Output}");
        Assert.Contains("replication.full-sync.segments", result.Error);
        Assert.Contains("bad.conf:4", result.Error);
        Assert.Contains("replication.mode", result.Error);
        Assert.Contains("bad.conf:6", result.Error);
    }

    [Theory]
    [InlineData("check-config")]
    [InlineData("run")]
    public async Task A_typo_in_a_key_or_a_top_level_block_is_an_error_with_a_suggestion(string command)
    {
        var file = Write("typo.conf", """
            replicaton {
              id = "cli-test"
            }
            replication {
              id = "cli-test"
              full-sync {
                segmnets = 4
              }
            }
            """);

        var result = await ReplicationCli.RunAsync(command, "--config", file);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}; stderr: {result.Error}");
        var lines = result.Error.Split('\n');
        Assert.Contains(lines, l => l.Contains("typo.conf:7") && l.Contains("did you mean 'replication.full-sync.segments'"));
        Assert.Contains(lines, l => l.Contains("typo.conf:2") && l.Contains("unknown key 'replicaton' (did you mean 'replication'?)"));
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task With_strict_config_off_a_typo_in_a_key_is_a_warning_with_a_suggestion()
    {
        var file = Write("typo.conf", """
            replication {
              id = "cli-test"
              full-sync {
                segmnets = 4
              }
            }
            """);

        var result = await ReplicationCli.RunAsync("check-config", "--config", file, "--set", "replication.strict-config=off");

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr: {result.Error}");
        var warning = result.Error.Split('\n').SingleOrDefault(l => l.Contains("segmnets"));
        Assert.True(warning is not null, $"no warning about the typo; stderr: {result.Error}");
        Assert.StartsWith("warning:", warning);
        Assert.Contains("typo.conf:4", warning);
        Assert.Contains("did you mean 'replication.full-sync.segments'", warning);
    }

    [Fact]
    public async Task Check_config_prints_the_effective_configuration_with_secrets_redacted()
    {
        var file = Write("good.conf", """
            replication {
              id = "cli-test"
              source.dynamodb {
                region = eu-west-1
                credentials {
                  access-key-id = AKIAEXAMPLEKEYID
                  secret-access-key = "wJalrXUtnFEMIsuperSecretValue"
                }
              }
              target.mongodb.uri = "mongodb://admin:hunter2pass@db.example.com:27017/?replicaSet=rs0"
              full-sync.segments = 6
            }
            """);

        var result = await ReplicationCli.RunAsync("check-config", "--config", file);

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr: {result.Error}");
        Assert.DoesNotContain("wJalrXUtnFEMIsuperSecretValue", result.Output);
        Assert.DoesNotContain("hunter2pass", result.Output);
        Assert.Contains("mongodb://admin:<redacted>@db.example.com:27017", result.Output);
        Assert.Contains("<redacted>", result.Output.Split('\n').Single(l => l.Contains("secret-access-key")));
        // The effective configuration: the file's values and the defaults it did not set.
        Assert.Contains("eu-west-1", result.Output);
        Assert.Matches(@"segments\s*[=:]\s*6", result.Output);
        Assert.Contains("page-size", result.Output);
    }
}
