using Driver = MongoDB.Driver;
using Raw = MongoDB.Bson.RawBsonDocument;

namespace Replication.Mongo;

/// <summary>
/// A collection name bound to a database. Operations are split by concern across
/// <c>MongoCollection.*.cs</c>: bulk writes, find, findAndModify, indexes, change streams, drop.
/// Documents cross into the driver as <see cref="Raw"/> views of BSON bytes, never as a field-by-field object model.
/// </summary>
public sealed partial class MongoCollection
{
    // A document without _id is inserted as given: the server assigns it (convert.key = fields leaves _id to MongoDB).
    private static readonly Driver.MongoCollectionSettings Settings = new() { AssignIdOnInsert = false };

    internal MongoCollection(MongoDatabase database, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Database = database;
        Name = name;
        Native = database.Native.GetCollection<Raw>(name, Settings);
    }

    public MongoDatabase Database { get; }

    public string Name { get; }

    public string Namespace => $"{Database.Name}.{Name}";

    private Driver.IMongoCollection<Raw> Native { get; }

    private MongoClient Client => Database.Client;

    /// <summary>Drops the collection; dropping one that does not exist is not an error.</summary>
    public Task DropAsync(CancellationToken cancellationToken = default) =>
        Client.GuardAsync($"dropping collection '{Namespace}'", async () =>
        {
            await Database.Native.DropCollectionAsync(Name, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private static Driver.FilterDefinition<Raw> Filter(ReadOnlyMemory<byte> filter) => new Driver.BsonDocumentFilterDefinition<Raw>(RawDocuments.From(filter));

    private static Driver.FilterDefinition<Raw> Filter(MongoDB.Bson.BsonDocument filter) => new Driver.BsonDocumentFilterDefinition<Raw>(filter);
}
