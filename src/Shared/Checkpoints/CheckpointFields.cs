using MongoDB.Bson;

namespace Replication.Checkpoints;

/// <summary>Lenient reads of checkpoint fields: a missing or null field reads as absent, numbers of any width as long.</summary>
internal static class CheckpointFields
{
    public static string? String(BsonDocument doc, string name) => doc.GetValue(name, null) is BsonString s ? s.Value : null;

    public static long Long(BsonDocument doc, string name) => doc.GetValue(name, null) switch
    {
        BsonInt32 i => i.Value,
        BsonInt64 l => l.Value,
        BsonDouble d => (long)d.Value,
        _ => 0,
    };

    public static DateTimeOffset? Time(BsonDocument doc, string name) =>
        doc.GetValue(name, null) is BsonDateTime t ? DateTimeOffset.FromUnixTimeMilliseconds(t.MillisecondsSinceEpoch) : null;

    public static CheckpointLease? Lease(BsonDocument doc, string name = "lease") =>
        doc.GetValue(name, null) is BsonDocument lease
            ? new CheckpointLease(String(lease, "owner"), Long(lease, "counter"), Time(lease, "expiresAt"))
            {
                Renewal = Long(lease, "renewal"),
                Duration = lease.GetValue("durationMs", null) is BsonInt32 or BsonInt64 ? TimeSpan.FromMilliseconds(Long(lease, "durationMs")) : null,
            }
            : null;
}
