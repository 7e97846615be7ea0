using Driver = MongoDB.Driver;
using MongoDB.Bson;
using DriverBson = MongoDB.Bson;

namespace Replication.Mongo;

/// <summary>A database name bound to a client; cheap to create.</summary>
public sealed class MongoDatabase
{
    internal MongoDatabase(MongoClient client, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Client = client;
        Name = name;
        Native = client.DriverClient.GetDatabase(name);
    }

    public MongoClient Client { get; }

    public string Name { get; }

    internal Driver.IMongoDatabase Native { get; }

    public MongoCollection GetCollection(string name) => new(this, name);

    /// <summary>Runs <paramref name="command"/> (BSON bytes) here; returns the reply's bytes.</summary>
    public Task<byte[]> RunCommandAsync(ReadOnlyMemory<byte> command, CommandKind kind = CommandKind.Read, CancellationToken cancellationToken = default)
    {
        var document = RawDocuments.From(command);
        var readPreference = kind == CommandKind.Read ? Native.Settings.ReadPreference : Driver.ReadPreference.Primary;
        return Client.GuardAsync($"command '{CommandName(document)}' on database '{Name}'", async () =>
        {
            var reply = await Native.RunCommandAsync(new Driver.BsonDocumentCommand<DriverBson.RawBsonDocument>(document), readPreference, cancellationToken)
                .ConfigureAwait(false);
            return RawDocuments.ToBytes(reply);
        });
    }

    public async Task<DriverBson.BsonDocument> RunCommandAsync(DriverBson.BsonDocument command, CommandKind kind = CommandKind.Read, CancellationToken cancellationToken = default) =>
        RawDocuments.Parse(await RunCommandAsync(command.ToBson(), kind, cancellationToken).ConfigureAwait(false));

    /// <summary>listCollections: the full documents (<c>name</c>, <c>type</c>, <c>options</c>, <c>info</c>).</summary>
    public Task<IReadOnlyList<DriverBson.BsonDocument>> ListCollectionsAsync(DriverBson.BsonDocument? filter = null, CancellationToken cancellationToken = default) =>
        Client.GuardAsync<IReadOnlyList<DriverBson.BsonDocument>>($"listCollections on '{Name}'", async () =>
        {
            var options = new Driver.ListCollectionsOptions();
            if (filter is not null) options.Filter = filter;
            using var cursor = await Native.ListCollectionsAsync(options, cancellationToken).ConfigureAwait(false);
            return (await Driver.IAsyncCursorExtensions.ToListAsync(cursor, cancellationToken).ConfigureAwait(false)).Select(RawDocuments.ToDocument).ToList();
        });

    public async Task<IReadOnlyList<string>> ListCollectionNamesAsync(CancellationToken cancellationToken = default) =>
        (await ListCollectionsAsync(null, cancellationToken).ConfigureAwait(false))
            .Select(c => c.GetValue("name", DriverBson.BsonNull.Value) is DriverBson.BsonString s ? s.Value : "").ToList();

    public Task DropAsync(CancellationToken cancellationToken = default) =>
        Client.GuardAsync($"dropping database '{Name}'", async () =>
        {
            await Client.DriverClient.DropDatabaseAsync(Name, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>A change stream over this database.</summary>
    public Task<MongoChangeStream> WatchAsync(ChangeStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        MongoChangeStream.OpenAsync(Client, $"watching database '{Name}'",
            (stages, driverOptions) => Native.WatchAsync(
                MongoChangeStream.Pipeline<Driver.ChangeStreamDocument<DriverBson.BsonDocument>>(stages), driverOptions, cancellationToken), options);

    private static string CommandName(DriverBson.RawBsonDocument command) => command.ElementCount > 0 ? command.GetElement(0).Name : "";
}
