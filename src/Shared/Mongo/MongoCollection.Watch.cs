using Replication.Mongo.Native;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>A change stream over this collection (<c>mongoc_collection_watch</c>).</summary>
    public Task<MongoChangeStream> WatchAsync(ChangeStreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        var pipeline = MongoChangeStream.BuildPipeline(options);
        var opts = MongoChangeStream.BuildOptions(options);
        return MongoChangeStream.OpenAsync(Pool, client =>
        {
            using var collection = CollectionHandle.Open(client, Database.Name, Name);
            using var p = OwnedBsonHandle.Copy(pipeline);
            using var o = OwnedBsonHandle.Copy(opts);
            return new ChangeStreamHandle(LibMongoc.mongoc_collection_watch(collection.Pointer, p.Pointer, o.Pointer), client);
        }, options, $"watching '{Namespace}'", cancellationToken);
    }
}
