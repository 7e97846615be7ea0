using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>
/// A collection name bound to a database. Operations are split by concern across
/// <c>MongoCollection.*.cs</c>: bulk writes, find, findAndModify, indexes, change streams, drop.
/// </summary>
public sealed partial class MongoCollection
{
    internal MongoCollection(MongoDatabase database, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Database = database;
        Name = name;
    }

    public MongoDatabase Database { get; }

    public string Name { get; }

    public string Namespace => $"{Database.Name}.{Name}";

    private ClientPool Pool => Database.Client.Pool;

    private Task<T> RunAsync<T>(Func<CollectionHandle, T> operation, CancellationToken cancellationToken) =>
        Pool.RunAsync(client =>
        {
            using var collection = CollectionHandle.Open(client, Database.Name, Name);
            return operation(collection);
        }, cancellationToken);

    /// <summary>Drops the collection; dropping one that does not exist is not an error.</summary>
    public Task DropAsync(CancellationToken cancellationToken = default) => RunAsync(Drop, cancellationToken);

    private unsafe bool Drop(CollectionHandle collection)
    {
        BsonError error;
        if (LibMongoc.mongoc_collection_drop_with_opts(collection.Pointer, IntPtr.Zero, &error)) return true;
        if (error.Domain == MongocErrorDomain.Server && error.Code == 26) return false; // NamespaceNotFound
        throw MongoErrorTranslator.Translate(error, default, $"dropping collection '{Namespace}'");
    }
}
