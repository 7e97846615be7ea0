using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using MongoDB.Bson;
using Replication.Testing;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Mongo;

/// <summary>The wire layer spoken byte by byte, for the paths the driver does not exercise on its own.</summary>
public sealed class WireProtocolTests : IAsyncLifetime
{
    private InMemoryMongoServer _server = null!;
    private TcpClient _tcp = null!;
    private NetworkStream _stream = null!;
    private int _requestId;

    public async Task InitializeAsync()
    {
        _server = new InMemoryMongoServer();
        _tcp = new TcpClient();
        await _tcp.ConnectAsync("127.0.0.1", _server.Port);
        _stream = _tcp.GetStream();
    }

    public async Task DisposeAsync()
    {
        _tcp.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_legacy_OP_QUERY_handshake_is_answered_with_OP_REPLY()
    {
        var query = new BsonDocument { { "$query", new BsonDocument { { "isMaster", 1 } } } }.ToBson();
        var body = new List<byte>();
        body.AddRange(BitConverter.GetBytes(0));
        body.AddRange(Encoding.UTF8.GetBytes("admin.$cmd\0"));
        body.AddRange(BitConverter.GetBytes(0));
        body.AddRange(BitConverter.GetBytes(-1));
        body.AddRange(query);
        var id = await SendAsync(WireOpCode.Query, body.ToArray());

        var (header, reply) = await ReceiveAsync();
        Assert.Equal(WireOpCode.Reply, header.OpCode);
        Assert.Equal(id, header.ResponseTo);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(16)));
        var document = BsonBytes.ToDocument(reply.AsSpan(20));
        Assert.Equal(new BsonDouble(1.0), document["ok"]);
        Assert.True(document.Contains("maxWireVersion"));
        Assert.False(document.Contains("compression"));
    }

    [Fact]
    public async Task OP_COMPRESSED_is_refused_with_an_error_reply()
    {
        var id = await SendAsync(WireOpCode.Compressed, new byte[9]);
        var (header, reply) = await ReceiveAsync();
        Assert.Equal(WireOpCode.Msg, header.OpCode);
        Assert.Equal(id, header.ResponseTo);
        var document = BsonBytes.ToDocument(reply.AsSpan(5));
        Assert.Equal(new BsonDouble(0.0), document["ok"]);
        Assert.Contains("OP_COMPRESSED", document["errmsg"].AsString);
    }

    [Fact]
    public async Task Document_sequences_moreToCome_and_checksums_are_honoured()
    {
        // An unacknowledged insert (moreToCome) whose documents travel in a kind-1 section, with a checksum.
        var insert = new BsonDocument { { "insert", "c" }, { "$db", "wire" }, { "ordered", true } };
        var sequence = new List<byte>();
        sequence.AddRange(Encoding.UTF8.GetBytes("documents\0"));
        sequence.AddRange(new BsonDocument { { "_id", 1 } }.ToBson());
        sequence.AddRange(new BsonDocument { { "_id", 2 } }.ToBson());
        var body = new List<byte>();
        body.AddRange(BitConverter.GetBytes((uint)(OpMsgFlags.MoreToCome | OpMsgFlags.ChecksumPresent)));
        body.Add(0);
        body.AddRange(insert.ToBson());
        body.Add(1);
        body.AddRange(BitConverter.GetBytes(sequence.Count + 4));
        body.AddRange(sequence);
        body.AddRange(new byte[4]); // the checksum is not verified
        await SendAsync(WireOpCode.Msg, body.ToArray());

        // No reply comes for it: the next reply answers the count that follows.
        var countId = await SendMsgAsync(new BsonDocument { { "count", "c" }, { "$db", "wire" } });
        var (header, reply) = await ReceiveAsync();
        Assert.Equal(countId, header.ResponseTo);
        var document = BsonBytes.ToDocument(reply.AsSpan(5));
        Assert.Equal(new BsonDouble(1.0), document["ok"]);
        Assert.Equal(2L, document["n"] switch { BsonInt32 i => i.Value, BsonInt64 l => l.Value, _ => -1 });
    }

    [Fact]
    public async Task KillConnections_drops_open_sockets_and_counts_them()
    {
        await SendMsgAsync(new BsonDocument { { "ping", 1 }, { "$db", "admin" } });
        await ReceiveAsync();
        Assert.Equal(1, _server.ActiveConnections);
        Assert.Equal(1, _server.KillConnections());
        var buffer = new byte[1];
        var read = await Record.ExceptionAsync(async () =>
        {
            if (await _stream.ReadAsync(buffer) == 0) throw new EndOfStreamException();
        });
        Assert.NotNull(read);
        Assert.Equal(1, _server.TotalConnections);
    }

    private Task<int> SendMsgAsync(BsonDocument command)
    {
        var body = new List<byte>();
        body.AddRange(BitConverter.GetBytes(0u));
        body.Add(0);
        body.AddRange(command.ToBson());
        return SendAsync(WireOpCode.Msg, body.ToArray());
    }

    private async Task<int> SendAsync(WireOpCode opCode, byte[] body)
    {
        var id = ++_requestId;
        var message = new byte[MessageHeader.Size + body.Length];
        new MessageHeader(message.Length, id, 0, opCode).Write(message);
        body.CopyTo(message, MessageHeader.Size);
        await _stream.WriteAsync(message);
        return id;
    }

    private async Task<(MessageHeader Header, byte[] Body)> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var headerBytes = new byte[MessageHeader.Size];
        await _stream.ReadExactlyAsync(headerBytes, timeout.Token);
        var header = MessageHeader.Read(headerBytes);
        var body = new byte[header.MessageLength - MessageHeader.Size];
        await _stream.ReadExactlyAsync(body, timeout.Token);
        return (header, body);
    }
}
