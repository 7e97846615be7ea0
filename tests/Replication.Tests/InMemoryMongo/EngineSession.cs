using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine;

namespace Replication.Tests.InMemoryMongo;

/// <summary>Runs commands against a fresh engine the way the wire layer does (body with $db, optional sequences).</summary>
internal sealed class EngineSession(MongoEngineOptions? options = null)
{
    public MongoEngine Engine { get; } = new(options);
    public CommandContext Context { get; } = new(7, "127.0.0.1:50000");

    public BsonDocument Run(BsonDocument command, string db = "test",
        IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>>? sequences = null)
    {
        var body = new BsonDocument(command.Elements) { { "$db", db } };
        return Engine.Execute(body, sequences, Context);
    }

    /// <summary>Runs a command that must succeed and returns its reply.</summary>
    public BsonDocument Ok(BsonDocument command, string db = "test")
    {
        var reply = Run(command, db);
        Assert.True(reply["ok"] is BsonDouble { Value: 1.0 }, $"command failed: {Show(reply)}");
        return reply;
    }

    /// <summary>Runs a command that must fail with <paramref name="code"/> and returns its reply.</summary>
    public BsonDocument Fails(BsonDocument command, int code, string db = "test")
    {
        var reply = Run(command, db);
        Assert.True(reply["ok"] is BsonDouble { Value: 0.0 }, $"command unexpectedly succeeded: {Show(reply)}");
        Assert.Equal(code, ((BsonInt32)reply["code"]!).Value);
        return reply;
    }

    public void Insert(string collection, params BsonDocument[] documents) =>
        Ok(new BsonDocument { { "insert", collection }, { "documents", new BsonArray(documents) } });

    public List<BsonDocument> FindAll(string collection, BsonDocument? filter = null, BsonDocument? sort = null)
    {
        var cmd = new BsonDocument { { "find", collection }, { "filter", filter ?? [] } };
        if (sort is not null) cmd.Add("sort", sort);
        cmd.Add("batchSize", 1000);
        var reply = Ok(cmd);
        return Batch(reply, "firstBatch");
    }

    public static List<BsonDocument> Batch(BsonDocument reply, string name) =>
        ((BsonArray)((BsonDocument)reply["cursor"]!)[name]!).Cast<BsonDocument>().ToList();

    public static long CursorId(BsonDocument reply) => ((BsonInt64)((BsonDocument)reply["cursor"]!)["id"]!).Value;

    public static string Show(BsonValue value) => Replication.Testing.InMemoryMongo.Engine.Errors.ShellFormat.Of(value);
}
