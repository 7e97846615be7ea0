using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Cursors;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>find: filter, sort, skip, limit, projection, min/max index bounds (with a hint); first batch of <c>batchSize</c> (default 101) and a cursor for the rest.</summary>
public sealed class FindCommand : IMongoCommand
{
    private const int DefaultFirstBatch = 101;

    public IReadOnlyList<string> Names { get; } = ["find"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var filter = invocation.Document("filter");
        var sort = new SortSpec(invocation.Document("sort") ?? []);
        var projection = Projection.Parse(invocation.Document("projection"));
        var skip = invocation.Int64("skip") ?? 0;
        var limit = invocation.Int64("limit") ?? 0;
        var batchSize = invocation.Int64("batchSize");
        var singleBatch = invocation.Flag("singleBatch");
        if (skip < 0) throw MongoCommandException.BadValue("skip value must be non-negative, but received: " + skip);
        if (batchSize < 0) throw MongoCommandException.BadValue("batchSize value must be non-negative, but received: " + batchSize);
        if (limit < 0)
        {
            // A negative limit is the legacy "single batch of |limit|".
            limit = -limit;
            singleBatch = true;
        }

        var db = invocation.Instance.Catalog.Get(invocation.Database);
        List<BsonDocument> matched;
        lock (db.Gate)
        {
            var collection = db.Find(name);
            var bounds = IndexBounds.Parse(invocation.Document("min"), invocation.Document("max"), invocation.Command.GetOrNull("hint"),
                index => collection?.Indexes.FirstOrDefault(i => i.Name == index)?.Key);
            var earlyStop = sort.IsEmpty && limit > 0 && bounds is null ? (int)Math.Min(int.MaxValue, skip + limit) : 0;
            matched = collection is null ? [] : CollectionScan.Matching(collection, filter, earlyStop);
            if (bounds is not null) matched = matched.Where(bounds.Contains).ToList();
        }
        IEnumerable<BsonDocument> results = sort.Sort(matched).Skip((int)Math.Min(skip, int.MaxValue));
        if (limit > 0) results = results.Take((int)Math.Min(limit, int.MaxValue));
        if (projection is not null) results = results.Select(projection.Apply);

        var firstBatch = (int)(batchSize ?? DefaultFirstBatch);
        if (limit > 0 && limit < firstBatch) firstBatch = (int)limit;
        var cursor = new DocumentCursor($"{invocation.Database}.{name}", results.ToList());
        return CursorReply.First(invocation.Instance, cursor, firstBatch, singleBatch);
    }
}
