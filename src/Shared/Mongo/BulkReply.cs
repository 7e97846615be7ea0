using Replication.Bson;

namespace Replication.Mongo;

/// <summary>libmongoc's merged bulk reply (<c>nInserted</c>…, <c>upserted</c>, <c>writeErrors</c>, <c>writeConcernErrors</c>).</summary>
internal sealed record BulkReply(BulkWriteResult Result, IReadOnlyList<BulkWriteError> WriteErrors, IReadOnlyList<WriteConcernError> WriteConcernErrors)
{
    /// <param name="sent">Maps the bulk's own item positions back to the caller's request indexes.</param>
    public static BulkReply Parse(ReadOnlySpan<byte> reply, IReadOnlyList<int> sent)
    {
        long inserted = 0, matched = 0, modified = 0, removed = 0, upserted = 0;
        var upserts = new List<BulkWriteUpsert>();
        var writeErrors = new List<BulkWriteError>();
        var writeConcernErrors = new List<WriteConcernError>();
        if (reply.Length > 5)
        {
            foreach (var element in new BsonDocumentReader(reply))
            {
                switch (element.Name)
                {
                    case "nInserted": inserted = Count(element); break;
                    case "nMatched": matched = Count(element); break;
                    case "nModified": modified = Count(element); break;
                    case "nRemoved": removed = Count(element); break;
                    case "nUpserted": upserted = Count(element); break;
                    case "upserted" when element.Type == BsonType.Array:
                        foreach (var item in element.AsArray)
                        {
                            var doc = item.AsDocument;
                            upserts.Add(new BulkWriteUpsert(Map(sent, (int)Count(doc["index"])), BsonValue.FromElement(doc["_id"])));
                        }
                        break;
                    case "writeErrors" when element.Type == BsonType.Array:
                        foreach (var item in element.AsArray)
                        {
                            var doc = item.AsDocument;
                            writeErrors.Add(new BulkWriteError(
                                Map(sent, doc.TryGetElement("index", out var index) ? (int)Count(index) : 0),
                                doc.TryGetElement("code", out var code) ? (int)Count(code) : 0,
                                doc.TryGetElement("errmsg", out var message) && message.Type == BsonType.String ? message.AsString : ""));
                        }
                        break;
                    case "writeConcernErrors" when element.Type == BsonType.Array:
                        foreach (var item in element.AsArray)
                        {
                            var doc = item.AsDocument;
                            writeConcernErrors.Add(new WriteConcernError(
                                doc.TryGetElement("code", out var code) ? (int)Count(code) : 0,
                                doc.TryGetElement("codeName", out var name) && name.Type == BsonType.String ? name.AsString : null,
                                doc.TryGetElement("errmsg", out var message) && message.Type == BsonType.String ? message.AsString : ""));
                        }
                        break;
                }
            }
        }
        return new BulkReply(new BulkWriteResult(inserted, matched, modified, removed, upserted, upserts), writeErrors, writeConcernErrors);
    }

    private static int Map(IReadOnlyList<int> sent, int bulkIndex) =>
        bulkIndex >= 0 && bulkIndex < sent.Count ? sent[bulkIndex] : bulkIndex;

    private static long Count(Bson.BsonElement element) => element.Type switch
    {
        BsonType.Int32 => element.AsInt32,
        BsonType.Int64 => element.AsInt64,
        BsonType.Double => (long)element.AsDouble,
        _ => 0,
    };
}
