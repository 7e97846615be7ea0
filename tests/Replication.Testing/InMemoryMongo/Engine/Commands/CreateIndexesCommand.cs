using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>
/// createIndexes: builds each requested index (unique ones checked against existing documents), creating the
/// collection if needed. An identical spec is a no-op; the same key under another name is IndexOptionsConflict (85);
/// the same name with another key is IndexKeySpecsConflict (86), as MongoDB 6.0 decides.
/// </summary>
public sealed class CreateIndexesCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["createIndexes"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        CollectionName.Validate(invocation.Database, name);
        var requested = invocation.Array("indexes")
            ?? throw MongoCommandException.FailedToParse("BSON field 'createIndexes.indexes' is missing but a required field");
        if (requested.Count == 0) throw MongoCommandException.BadValue("Must specify at least one index to create");
        var definitions = requested.Select(Parse).ToList();
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            var collection = db.GetOrCreate(name, out var created);
            var before = collection.Indexes.Count;
            foreach (var index in definitions)
            {
                if (IsExisting(collection, index)) continue;
                collection.AddIndex(index);
            }
            invocation.Instance.Clock.Tick();
            var reply = new BsonDocument
            {
                { "numIndexesBefore", before },
                { "numIndexesAfter", collection.Indexes.Count },
                { "createdCollectionAutomatically", created },
            };
            if (collection.Indexes.Count == before) reply.Add("note", "all indexes already exist");
            return reply;
        }
    }

    private static IndexDefinition Parse(BsonValue value)
    {
        if (value is not BsonDocument spec) throw MongoCommandException.TypeMismatch("Each index specification must be an object");
        if (spec.GetOrNull("key") is not BsonDocument { ElementCount: > 0 } key)
            throw MongoCommandException.FailedToParse($"Error in specification {ShellFormat.Of(spec)} :: caused by :: The 'key' field is a required property of an index specification");
        if (spec.GetOrNull("name") is not BsonString { Value.Length: > 0 })
            throw MongoCommandException.FailedToParse($"Error in specification {ShellFormat.Of(spec)} :: caused by :: The 'name' field is a required property of an index specification");
        foreach (var (field, direction) in key)
        {
            var valid = Numbers.IsNumber(direction) ? Numbers.ToDouble(direction) != 0 : direction is BsonString;
            if (!valid || field.Length == 0)
                throw new MongoCommandException(MongoErrorCode.CannotCreateIndex, $"Error in specification {ShellFormat.Of(spec)} :: caused by :: Values in the index key pattern can't be 0, empty strings or non-numbers");
        }
        var normalized = new BsonDocument { { "v", 2 }, { "key", key }, { "name", spec.GetOrNull("name")! } };
        foreach (var (option, v) in spec)
            if (option is not ("key" or "name" or "v" or "ns" or "background")) normalized.Add(option, v);
        return new IndexDefinition(normalized);
    }

    private static bool IsExisting(Collection collection, IndexDefinition requested)
    {
        foreach (var existing in collection.Indexes)
        {
            var sameKey = existing.Key.Equals(requested.Key);
            if (existing.Name == requested.Name)
            {
                if (sameKey && existing.SameOptionsAs(requested)) return true;
                if (!sameKey)
                    throw new MongoCommandException(MongoErrorCode.IndexKeySpecsConflict,
                        $"An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: {ShellFormat.Of(requested.Spec)}, existing index: {ShellFormat.Of(existing.Spec)}");
                throw new MongoCommandException(MongoErrorCode.IndexOptionsConflict,
                    $"An equivalent index already exists with the same name but different options. Requested index: {ShellFormat.Of(requested.Spec)}, existing index: {ShellFormat.Of(existing.Spec)}");
            }
            if (sameKey)
            {
                if (existing.SameOptionsAs(requested))
                    throw new MongoCommandException(MongoErrorCode.IndexOptionsConflict, $"Index already exists with a different name: {existing.Name}");
                throw new MongoCommandException(MongoErrorCode.IndexOptionsConflict,
                    $"An equivalent index already exists with a different name and options. Requested index: {ShellFormat.Of(requested.Spec)}, existing index: {ShellFormat.Of(existing.Spec)}");
            }
        }
        return false;
    }
}
