using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Aggregation;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>
/// Opens a change stream for an aggregate whose first stage is <c>$changeStream</c>: decides the scope from the
/// target, the start position from resumeAfter / startAfter / startAtOperationTime (or now), and refuses a start
/// the log no longer holds with ChangeStreamHistoryLost (286).
/// </summary>
public static class ChangeStreamOpener
{
    public static ChangeStreamCursor Open(MongoInstance instance, string database, BsonValue target, BsonValue stage, IEnumerable<BsonValue> rest)
    {
        var spec = ChangeStreamSpec.Parse(stage);
        if (spec.ShowExpandedEvents && instance.Options.MaxWireVersion < MongoEngineOptions.ExpandedEventsWireVersion)
            throw new MongoCommandException(MongoErrorCode.Location40415, "BSON field '$changeStream.showExpandedEvents' is an unknown field.");
        var scope = Scope(database, target, spec);
        var log = instance.ChangeLog;
        var start = StartPosition(log, spec);
        var renderer = new ChangeEventRenderer(spec, (db, coll, id) => Lookup(instance, db, coll, id));
        return new ChangeStreamCursor(log, scope, renderer, new Pipeline(rest), start, instance.Options.DefaultAwaitTime, spec.ShowExpandedEvents);
    }

    private static ChangeStreamScope Scope(string database, BsonValue target, ChangeStreamSpec spec)
    {
        if (target is BsonString { Value: var collection })
        {
            if (spec.AllChangesForCluster)
                throw new MongoCommandException(MongoErrorCode.Location40415, "allChangesForCluster is only valid when watching the whole cluster (aggregate: 1 on admin)");
            return new ChangeStreamScope(database, collection);
        }
        if (database == "admin")
        {
            if (!spec.AllChangesForCluster)
                throw new MongoCommandException(MongoErrorCode.InvalidNamespace, "$changeStream may not be opened on the internal admin database");
            return ChangeStreamScope.Cluster;
        }
        if (spec.AllChangesForCluster)
            throw new MongoCommandException(MongoErrorCode.InvalidNamespace, "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database");
        return new ChangeStreamScope(database, null);
    }

    private static ResumeToken StartPosition(ChangeLog log, ChangeStreamSpec spec)
    {
        if ((spec.ResumeAfter ?? spec.StartAfter) is { } token)
        {
            if (!log.CanResumeAfter(token.Position))
                throw HistoryLost();
            return token;
        }
        if (spec.StartAtOperationTime is { } time)
        {
            var before = log.PositionBefore(time) ?? throw HistoryLost();
            return new ResumeToken(time, before);
        }
        return log.Head;
    }

    private static MongoCommandException HistoryLost() => new(MongoErrorCode.ChangeStreamHistoryLost,
        "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");

    private static BsonDocument? Lookup(MongoInstance instance, string database, string collection, BsonValue id)
    {
        var db = instance.Catalog.Find(database);
        if (db is null) return null;
        lock (db.Gate) return db.Find(collection)?.FindById(id);
    }
}
