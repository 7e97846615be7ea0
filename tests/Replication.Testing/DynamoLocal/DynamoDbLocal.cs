using System.Diagnostics;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Replication.Dynamo.Http;

namespace Replication.Testing.DynamoLocal;

/// <summary>
/// A DynamoDB Local process (the real AWS emulator, Streams included) on a free port, in memory, one shared
/// database for every access key and region. Disposing kills the process tree.
/// </summary>
public sealed class DynamoDbLocal : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string AccessKey = "local";
    public const string SecretKey = "local";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private DynamoDbLocal(Process process, StringBuilder output, int port)
    {
        _process = process;
        _output = output;
        Port = port;
        ServiceUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    public int Port { get; }
    public Uri ServiceUrl { get; }

    /// <summary>What the process wrote so far (stdout and stderr), for diagnosing failures.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Options for our data-plane client pointed at this instance.</summary>
    public DynamoHttpOptions HttpOptions => new()
    {
        Region = Region,
        ServiceUrl = ServiceUrl,
        Credentials = DynamoCredentialSource.FromKeys(AccessKey, SecretKey),
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromSeconds(1),
    };

    /// <summary>An SDK client for this instance, with dummy credentials.</summary>
    public IAmazonDynamoDB CreateClient() =>
        new AmazonDynamoDBClient(new BasicAWSCredentials(AccessKey, SecretKey),
                                 new AmazonDynamoDBConfig { ServiceURL = ServiceUrl.ToString(), AuthenticationRegion = Region });

    public static async Task<DynamoDbLocal> StartAsync(CancellationToken cancellationToken = default)
    {
        var (jar, library) = LocateJar();
        // The free port is only probed, not held, so another process may take it first; a start that dies is retried on a new port.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortAsync(jar, library, cancellationToken).ConfigureAwait(false);
            }
            catch (ProcessExitedException) when (attempt < 3)
            {
            }
        }
    }

    private sealed class ProcessExitedException(string message) : InvalidOperationException(message);

    private static async Task<DynamoDbLocal> StartOnFreePortAsync(string jar, string library, CancellationToken cancellationToken)
    {
        var port = ChildProcesses.FreePort();
        var start = new ProcessStartInfo("java")
        {
            WorkingDirectory = Path.GetDirectoryName(jar)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { $"-Djava.library.path={library}", "-jar", jar, "-inMemory", "-sharedDb", "-disableTelemetry", "-port", port.ToString() })
            start.ArgumentList.Add(arg);

        var output = new StringBuilder();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("java did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not run 'java' for DynamoDB Local ({e.Message}); install Java 17 or run ./build.sh test, which installs it", e);
        }
        DataReceivedEventHandler append = (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var local = new DynamoDbLocal(process, output, port);
        try
        {
            await local.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            return local;
        }
        catch
        {
            await local.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var deadline = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(100);
        Exception? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw new ProcessExitedException($"DynamoDB Local exited with code {_process.ExitCode} while starting on port {Port}:\n{Output}");
            }
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(10));
                await client.ListTablesAsync(new ListTablesRequest { Limit = 1 }, attempt.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
        throw new TimeoutException($"DynamoDB Local did not answer on port {Port} within {StartTimeout.TotalSeconds} s (last error: {last?.Message}):\n{Output}");
    }

    /// <summary>The jar and its native-library folder inside tests/dynamodb-local/node_modules.</summary>
    public static (string Jar, string LibraryPath) LocateJar()
    {
        var root = RepositoryRoot.Find();
        var emulator = Path.Combine(root, "tests", "dynamodb-local", "node_modules", "amplify-dynamodb-simulator", "emulator");
        var jar = Path.Combine(emulator, "DynamoDBLocal.jar");
        if (!File.Exists(jar))
            throw new FileNotFoundException($"DynamoDB Local is not installed ({jar} is missing); run ./build.sh test, which runs npm ci in tests/dynamodb-local", jar);
        return (jar, Path.Combine(emulator, "DynamoDBLocal_lib"));
    }

    public ValueTask DisposeAsync() => ChildProcesses.KillAndDisposeAsync(_process);
}
