using Replication.Testing;
using Replication.Testing.InMemoryMongo.Wire;
using Replication.Testing.SyntheticDynamo;

namespace Replication.Tests.Operator;

/// <summary>
/// A real `replication run` (mode full) copying a large synthetic table at 20 items/s into the in-memory MongoDB server,
/// so it is still busy while a test looks at it; optionally with the target and the source each behind a <see cref="StallingProxy"/>.
/// Started once the node logs that it runs and has written its first pages.
/// </summary>
internal sealed class SlowCopyNode : IAsyncDisposable
{
    private readonly string _folder;

    private SlowCopyNode(string folder, InMemoryMongoServer mongo, StallingProxy? proxy, SyntheticDynamoServer dynamo, StallingProxy? sourceProxy, int port)
    {
        _folder = folder;
        Mongo = mongo;
        Proxy = proxy;
        Dynamo = dynamo;
        SourceProxy = sourceProxy;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        ConfigFile = Path.Combine(folder, "node.conf");
    }

    public InMemoryMongoServer Mongo { get; }
    public StallingProxy? Proxy { get; }
    public SyntheticDynamoServer Dynamo { get; }
    public StallingProxy? SourceProxy { get; }
    public NodeProcess Node { get; private set; } = null!;
    public HttpClient Http { get; }
    public string ConfigFile { get; }

    /// <param name="id">The replication id (its checkpoint database is <c>id_checkpoint</c>).</param>
    /// <param name="extra">More settings inside <c>replication { }</c>, e.g. planted secrets.</param>
    /// <param name="stallable">Put the target and the source each behind a <see cref="StallingProxy"/>.</param>
    public static async Task<SlowCopyNode> StartAsync(string id, bool stallable = false, string extra = "", string awsSecret = "secret")
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"replication-{id}-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var mongo = new InMemoryMongoServer();
        var proxy = stallable ? new StallingProxy(mongo.Port) : null;
        var dynamo = await SyntheticDynamoServer.StartAsync(new SyntheticTable("Orders", 100_000));
        var sourceProxy = stallable ? new StallingProxy(dynamo.ServiceUrl.Port) : null;
        var port = ChildProcesses.FreePort();
        var node = new SlowCopyNode(folder, mongo, proxy, dynamo, sourceProxy, port);
        var target = proxy is null ? mongo.ConnectionString : $"mongodb://127.0.0.1:{proxy.Port}/?directConnection=true";
        File.WriteAllText(node.ConfigFile, $$"""
            replication {
              id = {{id}}
              mode = full
              source.dynamodb {
                endpoint = "{{(sourceProxy is null ? dynamo.ServiceUrl.ToString() : $"http://127.0.0.1:{sourceProxy.Port}/")}}"
                credentials { access-key-id = AKIASLOWCOPY, secret-access-key = "{{awsSecret}}" }
              }
              target.mongodb.uri = "{{target}}"
              full-sync { segments = 2, page-size = 10, items-per-second = 20 }
              management.http.port = {{port}}
              drain-timeout = 2s
              {{extra}}
            }
            """);
        node.Node = NodeProcess.Start("run", "--config", node.ConfigFile);
        await node.Node.WaitForLineAsync(l => l.Contains("running as node"), TimeSpan.FromSeconds(90));
        await node.Node.WaitForLineAsync(l => l.Contains("table Orders: full-sync") && !l.Contains(" 0 of"), TimeSpan.FromSeconds(90));
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        Proxy?.Resume();
        SourceProxy?.Resume();
        Http.Dispose();
        if (Node is not null) await Node.DisposeAsync();
        Proxy?.Dispose();
        SourceProxy?.Dispose();
        await Dynamo.DisposeAsync();
        await Mongo.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
