namespace Replication.Dynamo.Conversion;

/// <summary>How a converted item is identified in MongoDB (<c>replication.convert.key</c>).</summary>
public enum IdentityMode
{
    /// <summary><c>_id</c> is the hash-key value, or <c>{hash: v, range: v}</c> for a composite key.</summary>
    Id,

    /// <summary><c>_id</c> is left to MongoDB; the key attributes are matched as fields (unique index on them).</summary>
    Fields,
}
