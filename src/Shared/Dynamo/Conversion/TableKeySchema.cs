namespace Replication.Dynamo.Conversion;

/// <summary>The attribute names of a table's primary key: the hash (partition) key and the optional range (sort) key.</summary>
public sealed record TableKeySchema(string HashKey, string? RangeKey)
{
    public bool IsComposite => RangeKey is not null;
}
