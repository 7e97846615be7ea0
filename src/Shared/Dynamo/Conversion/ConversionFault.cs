namespace Replication.Dynamo.Conversion;

/// <summary>
/// Raised deep inside a conversion with the reader offset of the offending token; the converter's entry point turns
/// it into an <see cref="ItemConversionException"/> once it has worked out the item key and attribute path, which
/// costs nothing on the hot path because it is only done on failure.
/// </summary>
internal sealed class ConversionFault(string problem, long tokenOffset, string? attributePath = null) : Exception(problem)
{
    public long TokenOffset { get; } = tokenOffset;
    public string? AttributePath { get; } = attributePath;
}
