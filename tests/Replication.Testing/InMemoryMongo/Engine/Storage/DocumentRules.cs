using Replication.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>What MongoDB requires of a document it stores: size, a valid <c>_id</c> placed first, no top-level <c>$</c> names.</summary>
public static class DocumentRules
{
    /// <summary>Returns the document to store: <c>_id</c> first (an ObjectId generated if absent), validated.</summary>
    public static BsonDocument PrepareForInsert(BsonDocument document)
    {
        BsonDocument stored;
        if (document.TryGetValue("_id", out var id))
        {
            stored = document.Elements[0].Key == "_id" ? document : MoveIdFirst(document, id);
        }
        else
        {
            stored = new BsonDocument { { "_id", ObjectId.NewId() } };
            foreach (var (name, value) in document) stored.Add(name, value);
        }
        Validate(stored);
        return stored;
    }

    public static void Validate(BsonDocument document)
    {
        foreach (var (name, _) in document)
            if (name.StartsWith('$'))
                throw MongoCommandException.BadValue($"Document can't have $ prefixed field names: {name}");
        var id = document["_id"];
        switch (id)
        {
            case BsonArray:
                throw new MongoCommandException(MongoErrorCode.InvalidIdField, $"The '_id' value cannot be of type array");
            case BsonRegularExpression:
                throw new MongoCommandException(MongoErrorCode.InvalidIdField, "The '_id' value cannot be of type regex");
            case BsonDocument idDoc when idDoc.Names.Any(n => n.StartsWith('$')):
                throw new MongoCommandException(MongoErrorCode.DollarPrefixedFieldName, "_id fields may not contain '$'-prefixed fields: " + idDoc.Names.First(n => n.StartsWith('$')) + " is not valid for storage.");
        }
        var size = BsonSize.Of(document);
        if (size > BsonSize.MaxDocumentSize)
            throw new MongoCommandException(MongoErrorCode.Location10334,
                $"BSONObj size: {size} (0x{size:X}) is invalid. Size must be between 0 and 16793600(16MB) First element: _id: {ShellFormat.Of(id ?? BsonNull.Value)}");
    }

    private static BsonDocument MoveIdFirst(BsonDocument document, BsonValue id)
    {
        var stored = new BsonDocument { { "_id", id } };
        foreach (var (name, value) in document)
            if (name != "_id") stored.Add(name, value);
        return stored;
    }
}
