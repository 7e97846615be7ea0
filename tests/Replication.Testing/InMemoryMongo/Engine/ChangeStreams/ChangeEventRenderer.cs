using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>
/// Shapes a logged change into the event document MongoDB sends: <c>_id</c> (resume token), operationType,
/// clusterTime, wallTime, fullDocument, ns, to, documentKey, updateDescription, fullDocumentBeforeChange — each only
/// where MongoDB includes it for that operation and that stream's options.
/// </summary>
public sealed class ChangeEventRenderer(ChangeStreamSpec spec, Func<string, string, BsonValue, BsonDocument?> lookup)
{
    public BsonDocument Render(ChangeEvent e)
    {
        var doc = new BsonDocument
        {
            { "_id", e.Token.ToDocument() },
            { "operationType", e.OperationType },
            { "clusterTime", e.ClusterTime },
            { "wallTime", new BsonDateTime(e.WallTimeMs) },
        };
        switch (e.OperationType)
        {
            case "insert":
            case "replace":
                doc.Add("fullDocument", e.FullDocument!);
                break;
            case "update":
                var full = spec.FullDocument switch
                {
                    "updateLookup" => lookup(e.Database, e.Collection!, e.DocumentId!),
                    "whenAvailable" or "required" => e.FullDocument,
                    _ => null,
                };
                if (spec.FullDocument != "default") doc.Add("fullDocument", (BsonValue?)full ?? BsonNull.Value);
                break;
        }
        var ns = new BsonDocument { { "db", e.Database } };
        if (e.Collection is not null) ns.Add("coll", e.Collection);
        doc.Add("ns", ns);
        if (e.ToDatabase is not null) doc.Add("to", new BsonDocument { { "db", e.ToDatabase }, { "coll", e.ToCollection! } });
        if (e.DocumentId is not null) doc.Add("documentKey", new BsonDocument { { "_id", e.DocumentId } });
        if (e.UpdateDescription is not null) doc.Add("updateDescription", e.UpdateDescription);
        if (e.OperationDescription is not null) doc.Add("operationDescription", e.OperationDescription);
        if (spec.FullDocumentBeforeChange != "off" && e.OperationType is "update" or "replace" or "delete")
            doc.Add("fullDocumentBeforeChange", (BsonValue?)e.FullDocumentBeforeChange ?? BsonNull.Value);
        return doc;
    }

    public static BsonDocument Invalidate(ChangeEvent cause) => new()
    {
        { "_id", cause.InvalidateToken.ToDocument() },
        { "operationType", "invalidate" },
        { "clusterTime", cause.ClusterTime },
        { "wallTime", new BsonDateTime(cause.WallTimeMs) },
    };
}
