namespace Replication.Dynamo.Conversion;

/// <summary>
/// A DynamoDB item (or key) that cannot be converted to BSON. The message names the item by its key and the
/// attribute at fault, so a dead letter or log line says exactly which data to look at.
/// </summary>
public sealed class ItemConversionException : Exception
{
    public ItemConversionException(string problem, string? itemKey, string? attributePath, Exception? innerException = null)
        : base(Compose(problem, itemKey, attributePath), innerException)
    {
        Problem = problem;
        ItemKey = itemKey;
        AttributePath = attributePath;
    }

    /// <summary>What is wrong, without the item and attribute context.</summary>
    public string Problem { get; }

    /// <summary>The item's key as short text (<c>id=abc, sort=5</c>), or null when it could not be read.</summary>
    public string? ItemKey { get; }

    /// <summary>The attribute at fault, e.g. <c>address.lines[2]</c>; null when the problem is the item as a whole.</summary>
    public string? AttributePath { get; }

    private static string Compose(string problem, string? itemKey, string? attributePath)
    {
        var item = itemKey is null ? "DynamoDB item (key unknown)" : $"DynamoDB item {{{itemKey}}}";
        return string.IsNullOrEmpty(attributePath)
            ? $"{item}: {problem}"
            : $"{item}, attribute '{attributePath}': {problem}";
    }
}
