using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>Separates a command's own options from the generic fields every command may carry ($db, lsid, writeConcern…).</summary>
internal static class CommandOptions
{
    private static readonly HashSet<string> Generic =
        ["lsid", "txnNumber", "autocommit", "startTransaction", "writeConcern", "readConcern", "comment", "maxTimeMS", "apiVersion", "apiStrict", "apiDeprecationErrors"];

    public static BsonDocument Specific(BsonDocument command)
    {
        var options = new BsonDocument();
        foreach (var (name, value) in command.Elements.Skip(1))
            if (!name.StartsWith('$') && !Generic.Contains(name)) options.Add(name, value);
        return options;
    }
}
