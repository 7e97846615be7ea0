using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>renameCollection (on admin): <c>{renameCollection: "db.from", to: "db.to", dropTarget}</c>.</summary>
public sealed class RenameCollectionCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["renameCollection"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        if (invocation.Database != "admin")
            throw new MongoCommandException(MongoErrorCode.Unauthorized, "renameCollection may only be run against the admin database.");
        var (fromDb, fromName) = Split(invocation.Argument, "renameCollection");
        var (toDb, toName) = Split(invocation.Command.GetOrNull("to") ?? throw MongoCommandException.FailedToParse("BSON field 'renameCollection.to' is missing but a required field"), "to");
        CollectionRename.Rename(invocation.Instance.Catalog, fromDb, fromName, toDb, toName, invocation.Flag("dropTarget"));
        return [];
    }

    private static (string Db, string Collection) Split(BsonValue value, string field)
    {
        if (value is not BsonString { Value: var ns } || ns.IndexOf('.') is var dot && (dot <= 0 || dot == ns.Length - 1))
            throw new MongoCommandException(MongoErrorCode.InvalidNamespace, $"Invalid {field} namespace: {(value as BsonString)?.Value ?? value.BsonType.ToString()}");
        return (ns[..dot], ns[(dot + 1)..]);
    }
}
