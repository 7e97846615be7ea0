using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Replication.Testing.InMemoryMongo.Engine;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>
/// An in-memory MongoDB server that real drivers (MongoDB.Driver) connect to over TCP: it frames OP_MSG / OP_QUERY
/// messages and hands each command to a <see cref="MongoEngine"/>. It presents itself as the primary of a one-node
/// replica set, so change streams and retryable writes work. For tests, the demo and benchmarks — not a database.
/// </summary>
public sealed class InMemoryMongoServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<long, WireConnection> _connections = new();
    private readonly ConcurrentBag<Task> _connectionTasks = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private long _connectionIds;
    private int _requestIds;

    public InMemoryMongoServer(InMemoryMongoServerOptions? options = null)
    {
        options ??= new InMemoryMongoServerOptions();
        _listener = new TcpListener(options.BindAddress, options.Port);
        _listener.Start();
        var endpoint = (IPEndPoint)_listener.LocalEndpoint;
        Port = endpoint.Port;
        var host = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address;
        HostAndPort = $"{host}:{Port}";
        Engine = new MongoEngine(options.Engine with { HostAndPort = HostAndPort });
        _acceptLoop = AcceptAsync();
    }

    public MongoEngine Engine { get; }

    public int Port { get; }

    public string HostAndPort { get; }

    /// <summary>A direct connection: the driver talks to this one node without replica-set discovery.</summary>
    public string ConnectionString => $"mongodb://{HostAndPort}/?directConnection=true";

    /// <summary>Commands a test stops before they run (kill tests); none unless armed.</summary>
    public CommandHolds Holds { get; } = new();

    /// <summary>Every write command run, with the appName of the client that sent it.</summary>
    public WriteLog Writes { get; } = new();

    /// <summary>Connections open right now.</summary>
    public int ActiveConnections => _connections.Count;

    /// <summary>Connections accepted since start.</summary>
    public long TotalConnections => Interlocked.Read(ref _connectionIds);

    /// <summary>Drops every open connection abruptly, as a server crash or network cut would; new ones are accepted.</summary>
    public int KillConnections()
    {
        var killed = 0;
        foreach (var (id, connection) in _connections)
        {
            if (!_connections.TryRemove(id, out _)) continue;
            connection.Kill();
            killed++;
        }
        return killed;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var id = Interlocked.Increment(ref _connectionIds);
            var connection = new WireConnection(socket, Engine, id, () => Interlocked.Increment(ref _requestIds), Holds, Writes);
            _connections[id] = connection;
            _connectionTasks.Add(Task.Run(async () =>
            {
                try { await connection.RunAsync().ConfigureAwait(false); }
                finally { _connections.TryRemove(id, out _); }
            }));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        KillConnections();
        await Task.WhenAll(_connectionTasks).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
