using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Bench.MongoPipeline;

/// <summary>
/// The change events written while the node is stopped: 70 % inserts of new documents, 20 % updates and 10 % deletes of
/// loaded ones, interleaved, each touching a different document (so each becomes exactly one change on the target),
/// by unordered bulk writes of 1,000, the collections in parallel.
/// </summary>
public sealed class MongoBacklog
{
    private readonly List<(int Index, Kind Kind)> _changes = [];

    public enum Kind { Insert, Update, Delete }

    /// <param name="loaded">Documents of the initial load (indexes 0 … loaded−1); new documents follow them.</param>
    public MongoBacklog(int size, int loaded)
    {
        int inserted = 0, updated = 0, deleted = 0;
        var updates = Enumerable.Range(0, size).Count(j => j % 10 is 7 or 8);
        for (var j = 0; j < size; j++)
        {
            _changes.Add((j % 10) switch
            {
                < 7 => (loaded + inserted++, Kind.Insert),
                < 9 => (updated++, Kind.Update),
                // Deletes take loaded documents after those the updates take, so no document gets two changes.
                _ => (updates + deleted++, Kind.Delete),
            });
        }
    }

    public IReadOnlyList<string> Keys => _changes.Select(c => MongoDocumentGenerator.KeyOf(c.Index)).ToList();
    public int Count(Kind kind) => _changes.Count(c => c.Kind == kind);

    public Task WriteAsync(IReadOnlyList<IMongoCollection<BsonDocument>> collections, MongoDocumentGenerator generator) =>
        Task.WhenAll(collections.Select(async (collection, c) =>
        {
            var mine = _changes.Where(x => x.Index % collections.Count == c).Select(x => Model(x.Index, x.Kind, generator));
            foreach (var chunk in mine.Chunk(1000))
                await collection.BulkWriteAsync(chunk, new BulkWriteOptions { IsOrdered = false }).ConfigureAwait(false);
        }));

    private static WriteModel<BsonDocument> Model(int index, Kind kind, MongoDocumentGenerator generator)
    {
        var id = new BsonDocument("_id", MongoDocumentGenerator.IdOf(index));
        return kind switch
        {
            Kind.Insert => new InsertOneModel<BsonDocument>(generator.Document(index)),
            Kind.Update => new UpdateOneModel<BsonDocument>(id, new BsonDocument
            {
                { "$set", new BsonDocument { { "name", $"updated {index}" }, { "updatedAt", new BsonDateTime(DateTime.UnixEpoch.AddSeconds(1_800_000_000L + index)) } } },
                { "$inc", new BsonDocument("long", 1L) },
            }),
            _ => new DeleteOneModel<BsonDocument>(id),
        };
    }
}
