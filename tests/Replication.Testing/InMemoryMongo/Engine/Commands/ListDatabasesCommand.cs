using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>listDatabases: databases that hold at least one collection, with sizes computed from the documents.</summary>
public sealed class ListDatabasesCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["listDatabases"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var filter = FilterMatcher.Compile(invocation.Document("filter"));
        var nameOnly = invocation.Flag("nameOnly");
        var list = new BsonArray();
        long total = 0;
        foreach (var db in invocation.Instance.Catalog.Databases)
        {
            long size;
            lock (db.Gate)
            {
                if (db.IsEmpty) continue;
                size = db.Collections.Sum(c => (long)c.Snapshot().Sum(BsonSize.Of));
            }
            var entry = nameOnly
                ? new BsonDocument { { "name", db.Name } }
                : new BsonDocument { { "name", db.Name }, { "sizeOnDisk", size }, { "empty", size == 0 } };
            if (!filter.Matches(entry)) continue;
            total += size;
            list.Add(entry);
        }
        var reply = new BsonDocument { { "databases", list } };
        if (!nameOnly) reply.Add("totalSize", total);
        return reply;
    }
}
