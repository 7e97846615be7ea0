using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>killCursors: closes the given cursors, reporting each as killed, not found, alive or unknown.</summary>
public sealed class KillCursorsCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["killCursors"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var ids = invocation.Array("cursors")
            ?? throw MongoCommandException.FailedToParse("BSON field 'killCursors.cursors' is missing but a required field");
        var killed = new BsonArray();
        var notFound = new BsonArray();
        foreach (var value in ids)
        {
            if (!Numbers.TryGetInt64(value, out var id))
                throw MongoCommandException.TypeMismatch("BSON field 'killCursors.cursors' must hold cursor ids of type long");
            if (invocation.Instance.Cursors.Remove(id)) killed.Add(id);
            else notFound.Add(id);
        }
        return new BsonDocument
        {
            { "cursorsKilled", killed },
            { "cursorsNotFound", notFound },
            { "cursorsAlive", new BsonArray() },
            { "cursorsUnknown", new BsonArray() },
        };
    }
}
