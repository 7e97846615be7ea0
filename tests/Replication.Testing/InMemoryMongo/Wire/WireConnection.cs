using System.Buffers;
using System.Net.Sockets;
using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>
/// One client socket: reads a message, hands the command to the engine, writes the reply, in order — as mongod
/// serves one request at a time per connection.
/// </summary>
internal sealed class WireConnection : IAsyncDisposable
{
    private const int MaxMessageSize = 48_000_000;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly MongoEngine _engine;
    private readonly CommandContext _context;
    private readonly Func<int> _nextRequestId;
    private readonly CommandHolds _holds;
    private readonly WriteLog _writes;
    private string? _appName;
    private readonly CancellationTokenSource _closed = new();

    public WireConnection(Socket socket, MongoEngine engine, long connectionId, Func<int> nextRequestId, CommandHolds holds, WriteLog writes)
    {
        _holds = holds;
        _writes = writes;
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _engine = engine;
        _nextRequestId = nextRequestId;
        _context = new CommandContext(connectionId, socket.RemoteEndPoint?.ToString() ?? "unknown");
        Id = connectionId;
    }

    public long Id { get; }

    public async Task RunAsync()
    {
        var header = new byte[MessageHeader.Size];
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                await _stream.ReadExactlyAsync(header, _closed.Token).ConfigureAwait(false);
                var messageHeader = MessageHeader.Read(header);
                if (messageHeader.MessageLength < MessageHeader.Size || messageHeader.MessageLength > MaxMessageSize)
                    return; // not a MongoDB peer or a corrupted stream: nothing sensible to answer
                var bodyLength = messageHeader.MessageLength - MessageHeader.Size;
                var body = ArrayPool<byte>.Shared.Rent(bodyLength);
                try
                {
                    await _stream.ReadExactlyAsync(body.AsMemory(0, bodyLength), _closed.Token).ConfigureAwait(false);
                    var reply = await HandleAsync(messageHeader, new ArraySegment<byte>(body, 0, bodyLength)).ConfigureAwait(false);
                    if (reply is not null) await _stream.WriteAsync(reply, _closed.Token).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(body);
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server is closing the connection: both end the conversation quietly.
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<byte[]?> HandleAsync(MessageHeader header, ArraySegment<byte> body)
    {
        if (header.OpCode == WireOpCode.Compressed)
            return WireReplyEncoder.EncodeOpMsg(header.RequestId, _nextRequestId(), ErrorReply(
                "OP_COMPRESSED is not supported by the in-memory server; it advertises no compressors"));
        WireRequest request;
        try
        {
            request = WireRequestDecoder.Decode(header, body);
        }
        catch (Exception e) when (e is WireProtocolException or FormatException or BsonException or EndOfStreamException)
        {
            var error = ErrorReply(e.Message);
            return header.OpCode == WireOpCode.Query
                ? WireReplyEncoder.Encode(new WireRequest(header, new BsonDocument(), null, OpMsgFlags.None), _nextRequestId(), error)
                : WireReplyEncoder.EncodeOpMsg(header.RequestId, _nextRequestId(), error);
        }

        NoteAppName(request);
        if (_holds.Take(request, _appName) is { } held)
        {
            await held.Dropped.WaitAsync(_closed.Token).ConfigureAwait(false);
            Kill();
            return null;
        }
        await AwaitTopologyChangeAsync(request).ConfigureAwait(false);
        // A getMore on a change stream (an awaitData cursor) blocks in the engine until events arrive or its await
        // time passes; that wait gets a thread of its own instead of parking a thread-pool thread per open stream.
        var reply = request.CommandName == "getMore"
            ? await Task.Factory.StartNew(() => Execute(request), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false)
            : Execute(request);
        return request.ExpectsReply ? WireReplyEncoder.Encode(request, _nextRequestId(), reply) : null;
    }

    // The handshake's client metadata names the application; the driver sends it once per connection.
    private void NoteAppName(WireRequest request)
    {
        if (request.CommandName is "hello" or "isMaster" or "ismaster" && request.Command.GetOrNull("client") is BsonDocument { } client
            && client.GetValue("application", null) is BsonDocument application && application.GetValue("name", null) is BsonString name)
            _appName = name.Value;
    }

    private byte[] Execute(WireRequest request)
    {
        var reply = _engine.Execute(request.Command, request.Sequences, _context);
        _writes.Record(_appName, request.Command, reply);
        return BsonModel.WriteDocument(reply);
    }

    /// <summary>
    /// An awaitable hello (topologyVersion + maxAwaitTimeMS) is answered only when the topology changes or the time
    /// is up; a one-node in-memory topology never changes, so it waits the full time. The answer carries no
    /// moreToCome, which exhaust-capable clients accept: they simply ask again.
    /// </summary>
    private async Task AwaitTopologyChangeAsync(WireRequest request)
    {
        if (request.CommandName is not ("hello" or "isMaster" or "ismaster")) return;
        if (!request.Command.Contains("topologyVersion") || request.Command.GetOrNull("maxAwaitTimeMS") is not { } wait) return;
        var milliseconds = wait switch { BsonInt32 i => i.Value, BsonInt64 l => l.Value, BsonDouble d => (long)d.Value, _ => 0 };
        if (milliseconds > 0) await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), _closed.Token).ConfigureAwait(false);
    }

    private static byte[] ErrorReply(string message) => BsonModel.WriteDocument(new BsonDocument
    {
        { "ok", 0.0 },
        { "errmsg", message },
        { "code", 2 },
        { "codeName", "BadValue" },
    });

    /// <summary>Drops the socket at once (no FIN handshake wait), as a crashed server or a cut cable would.</summary>
    public void Kill()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // already closed
        }
        _closed.Cancel();
        _socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_closed.IsCancellationRequested) _closed.Cancel();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
