using Replication.Bson;

namespace Replication.Checkpoints;

/// <summary>Lenient reads of checkpoint fields: a missing or null field reads as absent, numbers of any width as long.</summary>
internal static class CheckpointFields
{
    public static string? String(BsonDocument doc, string name) => doc[name] is BsonString s ? s.Value : null;

    public static long Long(BsonDocument doc, string name) => doc[name] switch
    {
        BsonInt32 i => i.Value,
        BsonInt64 l => l.Value,
        BsonDouble d => (long)d.Value,
        _ => 0,
    };

    public static DateTimeOffset? Time(BsonDocument doc, string name) =>
        doc[name] is BsonDateTime t ? t.ToDateTimeOffset() : null;

    public static CheckpointLease? Lease(BsonDocument doc, string name = "lease") =>
        doc[name] is BsonDocument lease ? new CheckpointLease(String(lease, "owner"), Long(lease, "counter"), Time(lease, "expiresAt")) : null;
}
