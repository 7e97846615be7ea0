using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Cursors;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>listIndexes: a cursor of index specs <c>{v: 2, key, name, unique?, …}</c>; NamespaceNotFound for a missing collection.</summary>
public sealed class ListIndexesCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["listIndexes"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var batchSize = invocation.Document("cursor")?.GetOrNull("batchSize") is { } b && Numbers.TryGetInt64(b, out var n) ? (int?)n : null;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        List<BsonDocument> specs;
        lock (db.Gate)
        {
            var collection = db.Find(name)
                ?? throw new MongoCommandException(MongoErrorCode.NamespaceNotFound, $"ns does not exist: {invocation.Database}.{name}");
            specs = collection.Indexes.Select(i => i.Spec.DeepCopy()).ToList();
        }
        return CursorReply.First(invocation.Instance, new DocumentCursor($"{invocation.Database}.{name}", specs), batchSize);
    }
}
