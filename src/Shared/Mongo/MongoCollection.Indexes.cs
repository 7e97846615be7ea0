using MongoDB.Bson;
using Driver = MongoDB.Driver;
using Raw = MongoDB.Bson.RawBsonDocument;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>listIndexes: each index's specification (<c>v</c>, <c>key</c>, <c>name</c>, options).</summary>
    public Task<IReadOnlyList<BsonDocument>> ListIndexesAsync(CancellationToken cancellationToken = default) =>
        Client.GuardAsync<IReadOnlyList<BsonDocument>>($"listIndexes on '{Namespace}'", async () =>
        {
            using var cursor = await Native.Indexes.ListAsync(cancellationToken).ConfigureAwait(false);
            return (await Driver.IAsyncCursorExtensions.ToListAsync(cursor, cancellationToken).ConfigureAwait(false)).Select(RawDocuments.ToDocument).ToList();
        });

    /// <summary>createIndexes; returns the indexes' names. Creating an identical existing index is not an error.</summary>
    public Task<IReadOnlyList<string>> CreateIndexesAsync(IReadOnlyList<IndexModel> indexes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(indexes.Count);
        var models = indexes.Select(index => new Driver.CreateIndexModel<Raw>(
            new Driver.BsonDocumentIndexKeysDefinition<Raw>(index.Keys), CreateOptions(index))).ToList();
        return Client.GuardAsync<IReadOnlyList<string>>($"createIndexes on '{Namespace}'", async () =>
            (await Native.Indexes.CreateManyAsync(models, cancellationToken).ConfigureAwait(false)).ToList());
    }

    public async Task<string> CreateIndexAsync(IndexModel index, CancellationToken cancellationToken = default) =>
        (await CreateIndexesAsync([index], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>dropIndexes by name; <c>"*"</c> drops all but <c>_id_</c>.</summary>
    public Task DropIndexAsync(string name, CancellationToken cancellationToken = default) =>
        Client.GuardAsync($"dropping index '{name}' of '{Namespace}'", async () =>
        {
            if (name == "*") await Native.Indexes.DropAllAsync(cancellationToken).ConfigureAwait(false);
            else await Native.Indexes.DropOneAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private static Driver.CreateIndexOptions<Raw> CreateOptions(IndexModel index)
    {
        var options = new Driver.CreateIndexOptions<Raw> { Name = index.Name };
        if (index.Options is null) return options;
        foreach (var (name, value) in index.Options.Select(e => (e.Name, e.Value)))
        {
            switch (name)
            {
                case "name": break;
                case "unique": options.Unique = Flag(value, name); break;
                case "sparse": options.Sparse = Flag(value, name); break;
                case "hidden": options.Hidden = Flag(value, name); break;
                case "expireAfterSeconds" when value is BsonInt32 or BsonInt64:
                    options.ExpireAfter = TimeSpan.FromSeconds(value.ToInt64());
                    break;
                case "partialFilterExpression" when value is BsonDocument filter:
                    options.PartialFilterExpression = new Driver.BsonDocumentFilterDefinition<Raw>(filter);
                    break;
                default:
                    throw new ArgumentException($"index '{index.Name}': option '{name}' is not supported here", nameof(index));
            }
        }
        return options;
    }

    private static bool Flag(BsonValue value, string name) =>
        value is BsonBoolean b ? b.Value : throw new ArgumentException($"index option '{name}' must be true or false");
}
