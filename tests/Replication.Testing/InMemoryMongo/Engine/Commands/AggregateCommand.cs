using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Aggregation;
using Replication.Testing.InMemoryMongo.Engine.ChangeStreams;
using Replication.Testing.InMemoryMongo.Engine.Cursors;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>aggregate: a pipeline over a collection, or a change stream when the first stage is <c>$changeStream</c>.</summary>
public sealed class AggregateCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["aggregate"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var stages = invocation.Array("pipeline")
            ?? throw MongoCommandException.FailedToParse("BSON field 'aggregate.pipeline' is missing but a required field");
        var cursorOptions = invocation.Document("cursor");
        if (cursorOptions is null && !invocation.Flag("explain"))
            throw MongoCommandException.FailedToParse("The 'cursor' option is required, except for aggregate with the explain argument");
        var batchSize = cursorOptions?.GetOrNull("batchSize") is { } b && Numbers.TryGetInt64(b, out var n) ? (int?)n : null;

        if (stages.Count > 0 && stages[0] is BsonDocument { ElementCount: 1 } first && first.GetElement(0).Name == "$changeStream")
        {
            var stream = ChangeStreamOpener.Open(invocation.Instance, invocation.Database, invocation.Argument, first.GetElement(0).Value, stages.Skip(1));
            // An empty first batch still opens the cursor: change stream cursors are tailable.
            var batch = stream.NextBatch(batchSize, TimeSpan.Zero, out var invalidated);
            var id = invalidated ? 0 : invocation.Instance.Cursors.Register(stream);
            return CursorReply.Build(stream, id, "firstBatch", batch);
        }

        var name = invocation.Argument is BsonString s ? s.Value
            : throw new MongoCommandException(MongoErrorCode.InvalidNamespace, "aggregate: 1 is only supported with a $changeStream first stage");
        var pipeline = new Pipeline(stages);
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        List<BsonDocument> source;
        lock (db.Gate)
        {
            var collection = db.Find(name);
            source = collection is null ? [] : collection.Snapshot();
        }
        var results = pipeline.Run(source).ToList();
        var cursor = new DocumentCursor($"{invocation.Database}.{name}", results);
        return CursorReply.First(invocation.Instance, cursor, batchSize ?? 101);
    }
}
