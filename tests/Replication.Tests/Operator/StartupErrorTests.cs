using Replication.Testing.InMemoryMongo.Wire;
using Replication.Testing.SyntheticDynamo;
using Replication.Tests.Cli;

namespace Replication.Tests.Operator;

/// <summary>
/// `replication run` against a missing credential, closed and blackholed ports and a refusing source: each ends within the
/// (short) startup timeout with one line naming the setting and the host, its own exit code, and no stack trace.
/// </summary>
public sealed class StartupErrorTests : IAsyncLifetime, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "replication-startup-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly UnansweringEndpoints _broken = new();
    private InMemoryMongoServer _mongo = null!;
    private SyntheticDynamoServer _dynamo = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _mongo = new InMemoryMongoServer();
        _dynamo = await SyntheticDynamoServer.StartAsync(new SyntheticTable("Orders", 10));
    }

    public async Task DisposeAsync()
    {
        await _dynamo.DisposeAsync();
        await _mongo.DisposeAsync();
    }

    public void Dispose()
    {
        _broken.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string Config(string dynamoEndpoint, string mongoUri, bool withKeys = true)
    {
        var path = Path.Combine(_folder, "node.conf");
        File.WriteAllText(path, $$"""
            replication {
              id = startup-test
              source.dynamodb {
                endpoint = "{{dynamoEndpoint}}"
                region = us-east-1
                {{(withKeys ? "credentials { access-key-id = AKIASTARTUPTEST, secret-access-key = \"startup-secret\" }" : "")}}
              }
              target.mongodb.uri = "{{mongoUri}}"
              management.http.port = 0
            }
            """);
        return path;
    }

    private static Task<ReplicationCli.Result> RunAsync(string config, IReadOnlyDictionary<string, string?>? environment = null) =>
        ReplicationCli.RunAsync(environment ?? new Dictionary<string, string?>(), "run", "--config", config, "--set", "replication.startup-timeout=3s");

    private static string ErrorLine(ReplicationCli.Result result)
    {
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one error line; exit {result.ExitCode}; stderr: {result.Error}; stdout: {result.Output}");
        Assert.DoesNotContain("   at ", result.Error + result.Output);
        Assert.DoesNotContain("Unhandled exception", result.Error + result.Output);
        Assert.DoesNotContain("DEBUG", result.Error + result.Output);
        return errors[0];
    }

    [Fact]
    public async Task No_AWS_credentials_exits_5_naming_the_credentials_settings()
    {
        var home = Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = null, ["AWS_SECRET_ACCESS_KEY"] = null, ["AWS_SESSION_TOKEN"] = null, ["AWS_PROFILE"] = null,
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = null, ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = null, ["AWS_WEB_IDENTITY_TOKEN_FILE"] = null,
            // Only loopback: the default chain must not ask the EC2 instance metadata service.
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["HOME"] = home,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "none"),
            ["AWS_CONFIG_FILE"] = Path.Combine(home, "none"),
        };

        var result = await RunAsync(Config(_dynamo.ServiceUrl.ToString(), _mongo.ConnectionString, withKeys: false), environment);

        Assert.True(result.ExitCode == 5, $"exit {result.ExitCode}; stderr: {result.Error}");
        var line = ErrorLine(result);
        Assert.Contains("no AWS credentials", line);
        Assert.Contains("replication.source.dynamodb.credentials", line);
        Assert.Contains(_dynamo.ServiceUrl.GetLeftPart(UriPartial.Authority), line);
    }

    [Fact]
    public async Task A_closed_DynamoDB_port_exits_4_after_the_startup_timeout()
    {
        var port = _broken.Closed();

        var result = await RunAsync(Config($"http://127.0.0.1:{port}", _mongo.ConnectionString));

        Assert.True(result.ExitCode == 4, $"exit {result.ExitCode}; stderr: {result.Error}");
        var line = ErrorLine(result);
        Assert.Contains($"cannot reach DynamoDB at http://127.0.0.1:{port} (replication.source.dynamodb.endpoint)", line);
        Assert.Contains("refused", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("replication.startup-timeout", line);
    }

    [Fact]
    public async Task A_blackholed_DynamoDB_port_exits_4_after_the_startup_timeout()
    {
        var port = _broken.Blackholed();

        var result = await RunAsync(Config($"http://127.0.0.1:{port}", _mongo.ConnectionString));

        Assert.True(result.ExitCode == 4, $"exit {result.ExitCode}; stderr: {result.Error}");
        var line = ErrorLine(result);
        Assert.Contains($"cannot reach DynamoDB at http://127.0.0.1:{port}", line);
        Assert.Contains("no answer", line);
    }

    [Fact]
    public async Task DynamoDB_refusing_the_access_key_exits_5_at_once()
    {
        var port = _broken.RefusingCredentials();

        var result = await RunAsync(Config($"http://127.0.0.1:{port}", _mongo.ConnectionString));

        Assert.True(result.ExitCode == 5, $"exit {result.ExitCode}; stderr: {result.Error}");
        var line = ErrorLine(result);
        Assert.Contains($"DynamoDB at http://127.0.0.1:{port} refused the request", line);
        Assert.Contains("UnrecognizedClientException", line);
        Assert.DoesNotContain("startup-secret", result.Error + result.Output);
    }

    [Fact]
    public async Task A_management_port_in_use_exits_8_with_one_line_and_no_stack_trace()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var result = await ReplicationCli.RunAsync(new Dictionary<string, string?>(), "run",
            "--config", Config(_dynamo.ServiceUrl.ToString(), $"mongodb://127.0.0.1:{_mongo.Port}/?directConnection=true"),
            "--set", "replication.startup-timeout=3s", "--set", $"replication.management.http.port={port}");

        Assert.True(result.ExitCode == 8, $"exit {result.ExitCode}; stderr: {result.Error}; stdout: {result.Output}");
        Assert.Contains($"127.0.0.1:{port}", ErrorLine(result));
        Assert.Contains("replication.management.http.port", result.Error);
    }

    [Fact]
    public async Task A_closed_MongoDB_port_exits_6_naming_the_setting_and_the_host()
    {
        var port = _broken.Closed();

        var result = await RunAsync(Config(_dynamo.ServiceUrl.ToString(), $"mongodb://127.0.0.1:{port}/?directConnection=true"));

        Assert.True(result.ExitCode == 6, $"exit {result.ExitCode}; stderr: {result.Error}");
        var line = ErrorLine(result);
        Assert.Contains($"cannot reach MongoDB at 127.0.0.1:{port} (replication.target.mongodb.uri)", line);
        Assert.Contains($"connection refused by 127.0.0.1:{port}", line);
    }

    [Fact]
    public async Task A_blackholed_MongoDB_port_exits_6_naming_the_setting_and_the_host()
    {
        var port = _broken.Blackholed();

        var result = await RunAsync(Config(_dynamo.ServiceUrl.ToString(), $"mongodb://127.0.0.1:{port}/?directConnection=true"));

        Assert.True(result.ExitCode == 6, $"exit {result.ExitCode}; stderr: {result.Error}");
        var line = ErrorLine(result);
        Assert.Contains($"cannot reach MongoDB at 127.0.0.1:{port} (replication.target.mongodb.uri)", line);
        Assert.Contains("did not answer the MongoDB handshake", line);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("check-config")]
    public async Task An_invalid_MongoDB_URI_option_exits_2_naming_the_key_and_line(string command)
    {
        var config = Config(_dynamo.ServiceUrl.ToString(), "mongodb://127.0.0.1:27017/?connectTimeoutMS=soon");

        var result = await ReplicationCli.RunAsync(command, "--config", config);

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}; stderr: {result.Error}");
        Assert.Contains("replication.target.mongodb.uri at ", result.Error);
        Assert.Contains("node.conf:8: is not a valid MongoDB connection string", result.Error);
        Assert.Contains("connecttimeoutms", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task A_table_whose_namespace_is_over_255_bytes_is_refused_at_discovery_naming_the_table_and_the_fix()
    {
        var name = "Orders" + new string('x', 244);
        await using var dynamo = await SyntheticDynamoServer.StartAsync(new SyntheticTable(name, 10));
        var config = Config(dynamo.ServiceUrl.ToString(), _mongo.ConnectionString);

        var result = await ReplicationCli.RunAsync("run", "--config", config, "--set", "replication.mode=full");

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}; stderr: {result.Error}; stdout: {result.Output}");
        var all = result.Output + result.Error;
        Assert.Contains($"table '{name}'", all);
        Assert.Contains("over MongoDB's limit of 255", all);
        Assert.Contains("replication.transform.rename", all);
        Assert.DoesNotContain("   at ", all);
    }
}
