using Replication.Testing.InMemoryMongo.Engine.ChangeStreams;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>renameCollection's storage step: moves the collection object (documents and indexes) and logs a rename event.</summary>
public static class CollectionRename
{
    public static void Rename(Catalog catalog, string fromDb, string fromName, string toDb, string toName, bool dropTarget)
    {
        CollectionName.Validate(toDb, toName);
        var source = catalog.Get(fromDb);
        var target = catalog.Get(toDb);
        // Both gates, always in name order, so two opposite renames cannot deadlock.
        var (first, second) = string.CompareOrdinal(fromDb, toDb) <= 0 ? (source, target) : (target, source);
        lock (first.Gate)
        {
            lock (second.Gate)
            {
                if (source.Find(fromName) is null)
                    throw new MongoCommandException(MongoErrorCode.NamespaceNotFound, $"Source collection {fromDb}.{fromName} does not exist");
                if (fromDb == toDb && fromName == toName)
                    throw new MongoCommandException(MongoErrorCode.IllegalOperation, "Can't rename a collection to itself");
                if (target.Find(toName) is not null)
                {
                    if (!dropTarget) throw new MongoCommandException(MongoErrorCode.NamespaceExists, "target namespace exists");
                    target.Drop(toName);
                }
                var collection = source.Detach(fromName);
                collection.MoveTo(toDb, toName);
                target.Attach(collection);
                source.Log.Append((position, time) => new ChangeEvent(position, time, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    "rename", fromDb, fromName, ToDatabase: toDb, ToCollection: toName));
            }
        }
    }
}
