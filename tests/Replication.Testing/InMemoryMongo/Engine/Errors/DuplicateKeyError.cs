using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine.Errors;

/// <summary>E11000, worded and annotated (keyPattern, keyValue) as MongoDB 6.0 reports it.</summary>
public static class DuplicateKeyError
{
    public static MongoCommandException For(string fullName, IndexDefinition index, BsonDocument keyValue)
    {
        var shown = new BsonDocument();
        foreach (var (name, value) in keyValue) shown.Add(name, value);
        var message = $"E11000 duplicate key error collection: {fullName} index: {index.Name} dup key: {ShellFormat.Of(shown)}";
        return new MongoCommandException(MongoErrorCode.DuplicateKey, message, new BsonDocument
        {
            { "keyPattern", index.Key.DeepCopy() },
            { "keyValue", keyValue },
        });
    }
}
