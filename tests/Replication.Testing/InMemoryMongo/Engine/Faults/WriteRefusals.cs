using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Faults;

/// <summary>
/// Lets a test make every write command (insert, update, delete) on one collection fail as a whole, as MongoDB does
/// for a user whose write permission was revoked: <c>{ok: 0, code: 13, codeName: "Unauthorized"}</c>. Writes to other
/// collections (the checkpoints, say) go through.
/// </summary>
public sealed class WriteRefusals
{
    private static readonly HashSet<string> WriteCommands = ["insert", "update", "delete"];
    private readonly Lock _gate = new();
    private readonly HashSet<(string Database, string Collection)> _refused = [];

    public void Refuse(string database, string collection)
    {
        lock (_gate) _refused.Add((database, collection));
    }

    public void Allow(string database, string collection)
    {
        lock (_gate) _refused.Remove((database, collection));
    }

    internal void Check(BsonDocument command)
    {
        if (command.ElementCount == 0 || !WriteCommands.Contains(command.GetElement(0).Name)) return;
        if (command.GetElement(0).Value is not BsonString collection || command.GetOrNull("$db") is not BsonString database) return;
        lock (_gate)
        {
            if (!_refused.Contains((database.Value, collection.Value))) return;
        }
        throw new MongoCommandException(MongoErrorCode.Unauthorized,
            $"not authorized on {database.Value} to execute command {{ {command.GetElement(0).Name}: \"{collection.Value}\" }}");
    }
}
