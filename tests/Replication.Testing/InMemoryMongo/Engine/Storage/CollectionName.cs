using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>MongoDB's rules for database and collection names (InvalidNamespace, code 73).</summary>
public static class CollectionName
{
    public static void Validate(string database, string collection)
    {
        ValidateDatabase(database);
        if (collection.Length == 0)
            throw new MongoCommandException(MongoErrorCode.InvalidNamespace, $"Invalid namespace specified '{database}.'");
        if (collection.Contains('$') || collection.Contains('\0') || collection.StartsWith('.'))
            throw new MongoCommandException(MongoErrorCode.InvalidNamespace, $"Invalid collection name: {collection}");
    }

    public static void ValidateDatabase(string database)
    {
        if (database.Length == 0 || database.Length > 63 || database.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) >= 0)
            throw new MongoCommandException(MongoErrorCode.InvalidNamespace, $"Invalid database name: '{database}'");
    }
}
