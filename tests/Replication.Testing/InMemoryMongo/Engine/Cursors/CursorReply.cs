using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Cursors;

/// <summary>Builds the <c>cursor: {firstBatch|nextBatch, id, ns}</c> reply and registers or closes the cursor.</summary>
public static class CursorReply
{
    /// <summary>Takes the first batch from <paramref name="cursor"/>; keeps it open only if more remains.</summary>
    public static BsonDocument First(MongoInstance instance, ServerCursor cursor, int? batchSize, bool singleBatch = false)
    {
        var batch = cursor.NextBatch(batchSize, TimeSpan.Zero, out var exhausted);
        long id = 0;
        if (!exhausted && !singleBatch) id = instance.Cursors.Register(cursor);
        return Build(cursor, id, "firstBatch", batch);
    }

    public static BsonDocument Build(ServerCursor cursor, long id, string batchName, List<BsonDocument> batch)
    {
        var doc = new BsonDocument
        {
            { batchName, new BsonArray(batch) },
            { "id", id },
            { "ns", cursor.Namespace },
        };
        cursor.AddCursorFields(doc);
        return new BsonDocument { { "cursor", doc } };
    }
}
