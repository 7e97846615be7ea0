using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.MongoAccess;

/// <summary>How the product opens a target collection and what the deployment allows in one document.</summary>
public static class MongoCollections
{
    // MongoDB's limit on a stored document (maxBsonObjectSize), when the server has not told the driver yet.
    private const int DefaultMaxDocumentSize = 16 * 1024 * 1024;

    // A document without _id is inserted as given: the server assigns it (convert.key = fields leaves _id to MongoDB).
    private static readonly MongoCollectionSettings RawSettings = new() { AssignIdOnInsert = false };

    /// <summary>A collection whose documents cross into the driver as <see cref="RawBsonDocument"/> views of BSON bytes.</summary>
    public static IMongoCollection<RawBsonDocument> Raw(IMongoDatabase database, string name) =>
        database.GetCollection<RawBsonDocument>(name, RawSettings);

    /// <summary>The primary's maxBsonObjectSize once the driver has heard from it, else MongoDB's 16 MiB.</summary>
    public static int MaxDocumentSize(IMongoClient client)
    {
        foreach (var server in client.Cluster.Description.Servers)
            if (server.IsDataBearing && server.MaxDocumentSize > 0) return server.MaxDocumentSize;
        return DefaultMaxDocumentSize;
    }
}
