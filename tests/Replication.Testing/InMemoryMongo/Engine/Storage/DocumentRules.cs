using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>
/// What MongoDB (5.0 and later) requires of a document it stores: at most 16 MiB, a valid <c>_id</c> placed first.
/// Top-level <c>$</c>-prefixed names are allowed in inserts (an update's replacement refuses them when it is parsed).
/// </summary>
public static class DocumentRules
{
    /// <summary>Returns the document to store: <c>_id</c> first (an ObjectId generated if absent), validated.</summary>
    public static BsonDocument PrepareForInsert(BsonDocument document)
    {
        var stored = WithIdFirst(document);
        var size = BsonSize.Of(stored);
        if (size > BsonSize.MaxDocumentSize)
            throw MongoCommandException.BadValue($"object to insert too large. size in bytes: {size}, max size: {BsonSize.MaxDocumentSize}");
        ValidateId(stored);
        return stored;
    }

    /// <summary>The document an upsert inserts from a replacement: placed and checked as a replacement.</summary>
    public static BsonDocument PrepareReplacementForInsert(BsonDocument document)
    {
        var stored = WithIdFirst(document);
        ValidateReplacement(stored);
        return stored;
    }

    /// <summary>A replacement document (its top-level <c>$</c> names were refused when the update was parsed).</summary>
    public static void ValidateReplacement(BsonDocument document) => ValidateUpdated(document);

    /// <summary>The result of an update: a valid <c>_id</c> and within the size limit.</summary>
    public static void ValidateUpdated(BsonDocument document)
    {
        ValidateId(document);
        var size = BsonSize.Of(document);
        if (size > BsonSize.MaxDocumentSize)
            throw new MongoCommandException(MongoErrorCode.Location17419, $"Resulting document after update is larger than {BsonSize.MaxDocumentSize}");
    }

    private static void ValidateId(BsonDocument document)
    {
        switch (document.GetOrNull("_id"))
        {
            case BsonArray:
                throw new MongoCommandException(MongoErrorCode.InvalidIdField, $"The '_id' value cannot be of type array");
            case BsonRegularExpression:
                throw new MongoCommandException(MongoErrorCode.InvalidIdField, "The '_id' value cannot be of type regex");
            case BsonDocument idDoc when idDoc.Names.Any(n => n.StartsWith('$')):
                throw new MongoCommandException(MongoErrorCode.DollarPrefixedFieldName, "_id fields may not contain '$'-prefixed fields: " + idDoc.Names.First(n => n.StartsWith('$')) + " is not valid for storage.");
        }
    }

    private static BsonDocument WithIdFirst(BsonDocument document)
    {
        if (document.TryGetValue("_id", out var id))
            return document.GetElement(0).Name == "_id" ? document : MoveIdFirst(document, id);
        var stored = new BsonDocument { { "_id", ObjectId.GenerateNewId() } };
        foreach (var (name, value) in document) stored.Add(name, value);
        return stored;
    }

    private static BsonDocument MoveIdFirst(BsonDocument document, BsonValue id)
    {
        var stored = new BsonDocument { { "_id", id } };
        foreach (var (name, value) in document)
            if (name != "_id") stored.Add(name, value);
        return stored;
    }
}
