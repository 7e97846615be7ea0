namespace Replication.Dynamo;

/// <summary>
/// One Scan call. <see cref="ExclusiveStartKeyJson"/> is the raw JSON of a previous page's LastEvaluatedKey,
/// exactly as <see cref="ScanPage.LastEvaluatedKeyJson"/> returned it (and as a checkpoint stores it).
/// </summary>
public sealed record ScanSegmentRequest(string TableName)
{
    public int? Segment { get; init; }
    public int? TotalSegments { get; init; }
    public string? ExclusiveStartKeyJson { get; init; }
    public int? Limit { get; init; }
    public bool ConsistentRead { get; init; }
}
