using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>dropIndexes: by name, by key pattern, a list of names, or "*" for every index but <c>_id_</c>.</summary>
public sealed class DropIndexesCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["dropIndexes", "deleteIndexes"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var name = invocation.CollectionName;
        var selector = invocation.Command.GetOrNull("index")
            ?? throw MongoCommandException.FailedToParse("BSON field 'dropIndexes.index' is missing but a required field");
        var db = invocation.Instance.Catalog.Get(invocation.Database);
        lock (db.Gate)
        {
            var collection = db.Find(name)
                ?? throw new MongoCommandException(MongoErrorCode.NamespaceNotFound, $"ns not found {invocation.Database}.{name}");
            var before = collection.Indexes.Count;
            var reply = new BsonDocument { { "nIndexesWas", before } };
            List<string> names = selector switch
            {
                BsonString { Value: "*" } => collection.Indexes.Where(i => !i.IsIdIndex).Select(i => i.Name).ToList(),
                BsonString s => [s.Value],
                BsonArray a => a.Select(v => v is BsonString s ? s.Value : throw MongoCommandException.TypeMismatch("dropIndexes names must be strings")).ToList(),
                BsonDocument key => [collection.Indexes.FirstOrDefault(i => i.Key.Equals(key))?.Name
                    ?? throw new MongoCommandException(MongoErrorCode.IndexNotFound, $"can't find index with key: {ShellFormat.Of(key)}")],
                _ => throw MongoCommandException.TypeMismatch("dropIndexes 'index' must be a string, an array of strings or a key pattern"),
            };
            foreach (var index in names)
            {
                if (index == "_id_") throw new MongoCommandException(MongoErrorCode.InvalidOptions, "cannot drop _id index");
                if (collection.Indexes.All(i => i.Name != index))
                    throw new MongoCommandException(MongoErrorCode.IndexNotFound, $"index not found with name [{index}]");
            }
            foreach (var index in names) collection.RemoveIndex(index);
            if (selector is BsonString { Value: "*" }) reply.Add("msg", "non-_id indexes dropped for collection");
            invocation.Instance.Clock.Tick();
            return reply;
        }
    }
}
