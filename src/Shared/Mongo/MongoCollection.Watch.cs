using Driver = MongoDB.Driver;
using DriverBson = MongoDB.Bson;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>A change stream over this collection.</summary>
    public Task<MongoChangeStream> WatchAsync(ChangeStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        MongoChangeStream.OpenAsync(Client, $"watching '{Namespace}'", (stages, driverOptions) =>
            Database.Native.GetCollection<DriverBson.BsonDocument>(Name).WatchAsync(
                MongoChangeStream.Pipeline<Driver.ChangeStreamDocument<DriverBson.BsonDocument>>(stages), driverOptions, cancellationToken), options);
}
