using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Dynamo.Conversion;
using Replication.MongoAccess;
using Replication.ShardActors.Apply;

namespace Replication.ShardActors.Tables;

/// <summary>Everything fixed about one replicated table: names, key, stream, and how its items become documents.</summary>
public sealed record TableContext(string Table, string Collection, TableKeySchema Key, string? StreamArn, DynamoItemConverter Converter, KeyFilterBuilder Keys)
{
    public static TableContext From(TableCheckpoint checkpoint, ConvertSettings convert) => new(
        checkpoint.Table,
        checkpoint.Collection,
        checkpoint.KeySchema,
        checkpoint.StreamArn,
        new DynamoItemConverter(convert.Mode, convert.Key, checkpoint.KeySchema),
        new KeyFilterBuilder(convert.Key, checkpoint.KeySchema));

    public IMongoCollection<RawBsonDocument> TargetIn(IMongoDatabase database) => MongoCollections.Raw(database, Collection);
}
