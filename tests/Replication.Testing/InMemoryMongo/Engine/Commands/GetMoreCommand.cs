using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Cursors;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>getMore: the next batch (<c>nextBatch</c>) of an open cursor; id 0 once it is exhausted and closed.</summary>
public sealed class GetMoreCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["getMore"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        if (invocation.Argument is not (BsonInt64 or BsonInt32))
            throw MongoCommandException.TypeMismatch($"BSON field 'getMore.getMore' is the wrong type '{CommandInvocation.TypeName(invocation.Argument)}', expected type 'long'");
        var id = invocation.Int64("getMore")!.Value;
        var collection = invocation.String("collection")
            ?? throw MongoCommandException.FailedToParse("BSON field 'getMore.collection' is missing but a required field");
        var batchSize = invocation.Int64("batchSize");
        var maxTime = invocation.Int64("maxTimeMS") is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        var cursors = invocation.Instance.Cursors;
        if (!cursors.TryGet(id, out var cursor))
            throw new MongoCommandException(MongoErrorCode.CursorNotFound, $"cursor id {id} not found");
        var ns = $"{invocation.Database}.{collection}";
        if (cursor.Namespace != ns)
            throw new MongoCommandException(MongoErrorCode.Unauthorized, $"Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {cursor.Namespace}");
        lock (cursor.Gate)
        {
            var batch = cursor.NextBatch(batchSize is > 0 ? (int)batchSize : null, maxTime, out var exhausted);
            if (exhausted) cursors.Remove(id);
            return CursorReply.Build(cursor, exhausted ? 0 : id, "nextBatch", batch);
        }
    }
}
