using System.Net;
using System.Runtime.InteropServices;
using Replication.Testing.Demo;
using Replication.Testing.InMemoryMongo.Wire;
using Replication.Testing.SyntheticDynamo;

namespace Replication.Testing;

public static class Program
{
    private const string Usage = "usage: Replication.Testing mongod [--port N] [--bind 127.0.0.1]\n" +
                                 "       Replication.Testing demo [options]   (--help for the options)\n" +
                                 "       Replication.Testing synthetic-dynamo --items N [--payload BYTES] [--table NAME] [--port N]";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "demo") return await RunDemoAsync(args[1..]);
        if (args.Length > 0 && args[0] == "synthetic-dynamo") return await RunSyntheticDynamoAsync(args[1..]);
        if (args.Length == 0 || args[0] != "mongod")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var port = 27017;
        var bind = IPAddress.Loopback;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--port" when int.TryParse(value, out var p) && p is >= 0 and <= 65535:
                    port = p;
                    i++;
                    break;
                case "--bind" when IPAddress.TryParse(value, out var address):
                    bind = address;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"mongod: invalid argument '{args[i]}'{(value is null ? "" : $" '{value}'")}");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        return await RunMongodAsync(port, bind);
    }

    private static async Task<int> RunDemoAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(DemoOptions.Usage);
            return 0;
        }
        DemoOptions options;
        var mongo = args.Contains("--mongo");
        try
        {
            options = DemoOptions.Parse(args.Where(a => a != "--mongo").ToArray());
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(DemoOptions.Usage);
            return 2;
        }
        // Ctrl-C cancels the demo, whose cleanup then stops replication, DynamoDB Local and the server.
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        try
        {
            return mongo ? await new MongoDemoRun(options).RunAsync(cancel.Token) : await new DemoRun(options).RunAsync(cancel.Token);
        }
        catch (DemoFailedException e)
        {
            Console.WriteLine($"FAILED: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.WriteLine("demo interrupted; everything it started has been stopped");
            return 130;
        }
    }

    /// <summary>A DynamoDB endpoint serving one table of generated items (see <see cref="SyntheticDynamoServer"/>); prints its URL when listening.</summary>
    private static async Task<int> RunSyntheticDynamoAsync(string[] args)
    {
        int? items = null;
        var payload = 100;
        var table = "bench";
        var port = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--items" when int.TryParse(value, out var n) && n >= 0:
                    items = n;
                    break;
                case "--payload" when int.TryParse(value, out var b) && b > 0:
                    payload = b;
                    break;
                case "--table" when !string.IsNullOrEmpty(value):
                    table = value;
                    break;
                case "--port" when int.TryParse(value, out var p) && p is >= 0 and <= 65535:
                    port = p;
                    break;
                default:
                    Console.Error.WriteLine($"synthetic-dynamo: invalid argument '{args[i]}'{(value is null ? "" : $" '{value}'")}");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
            i++;
        }
        if (items is null)
        {
            Console.Error.WriteLine("synthetic-dynamo: --items is required");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var stop = StopSignal(out var sigterm);
        using var _ = sigterm;
        await using var server = await SyntheticDynamoServer.StartAsync(new SyntheticTable(table, items.Value, payload), port);
        Console.WriteLine($"Synthetic DynamoDB endpoint (test double): table '{table}', {items:N0} generated items, listening.");
        Console.WriteLine(server.ServiceUrl);
        await stop;
        Console.WriteLine("Stopping.");
        return 0;
    }

    /// <summary>Completes on Ctrl-C or SIGTERM; the caller disposes <paramref name="sigterm"/>.</summary>
    private static Task StopSignal(out PosixSignalRegistration sigterm)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        return stop.Task;
    }

    private static async Task<int> RunMongodAsync(int port, IPAddress bind)
    {
        var stop = StopSignal(out var sigterm);
        using var _ = sigterm;
        await using var server = new InMemoryMongoServer(new InMemoryMongoServerOptions { Port = port, BindAddress = bind });
        Console.WriteLine("In-memory MongoDB server (test double, data is not persisted) listening.");
        Console.WriteLine(server.ConnectionString);
        await stop;
        Console.WriteLine("Stopping.");
        return 0;
    }
}
