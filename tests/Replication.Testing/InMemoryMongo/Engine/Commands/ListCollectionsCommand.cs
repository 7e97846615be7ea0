using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Cursors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>listCollections: a cursor of <c>{name, type, options, info {readOnly, uuid}, idIndex}</c>, filtered.</summary>
public sealed class ListCollectionsCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["listCollections"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var filter = FilterMatcher.Compile(invocation.Document("filter"));
        var nameOnly = invocation.Flag("nameOnly");
        var batchSize = invocation.Document("cursor")?.GetOrNull("batchSize") is { } b && Numbers.TryGetInt64(b, out var n) ? (int?)n : null;
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        var entries = new List<BsonDocument>();
        lock (db.Gate)
        {
            foreach (var c in db.Collections.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                var entry = new BsonDocument
                {
                    { "name", c.Name },
                    { "type", "collection" },
                    { "options", c.Options.DeepCopy() },
                    { "info", new BsonDocument { { "readOnly", false }, { "uuid", new BsonBinaryData(c.Uuid.ToByteArray(bigEndian: true), BsonBinarySubType.UuidStandard) } } },
                    { "idIndex", c.Indexes[0].Spec.DeepCopy() },
                };
                if (!filter.Matches(entry)) continue;
                entries.Add(nameOnly ? new BsonDocument { { "name", c.Name }, { "type", "collection" } } : entry);
            }
        }
        var cursor = new DocumentCursor($"{invocation.Database}.$cmd.listCollections", entries);
        return CursorReply.First(invocation.Instance, cursor, batchSize);
    }
}
