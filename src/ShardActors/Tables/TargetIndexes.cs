using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;
using Replication.Dynamo.Control;
using Replication.Dynamo.Conversion;

namespace Replication.ShardActors.Tables;

/// <summary>
/// The target indexes of `full-sync.create-indexes`: `primary` makes the table key unique (in `fields` identity,
/// where `_id` is MongoDB's own; in `id` identity the `_id` index already is the key), `all` adds every GSI's key
/// as a non-unique index.
/// </summary>
public static class TargetIndexes
{
    public static IReadOnlyList<CreateIndexModel<RawBsonDocument>> For(ReplicationSettings settings, TableContext table, IReadOnlyList<DynamoIndexInfo> globalIndexes)
    {
        var indexes = new List<CreateIndexModel<RawBsonDocument>>();
        if (settings.FullSync.CreateIndexes == IndexCreation.None) return indexes;
        if (settings.Convert.Key == IdentityMode.Fields)
            indexes.Add(new CreateIndexModel<RawBsonDocument>(Keys(table.Key), new CreateIndexOptions { Name = "table_key", Unique = true }));
        if (settings.FullSync.CreateIndexes == IndexCreation.All)
        {
            foreach (var gsi in globalIndexes)
                indexes.Add(new CreateIndexModel<RawBsonDocument>(Keys(gsi.KeySchema), new CreateIndexOptions { Name = "gsi_" + gsi.IndexName }));
        }
        return indexes;
    }

    private static BsonDocument Keys(TableKeySchema key)
    {
        var keys = new BsonDocument { { key.HashKey, 1 } };
        if (key.RangeKey is not null) keys.Add(key.RangeKey, 1);
        return keys;
    }
}
