namespace Replication.Bson;

/// <summary>Extended JSON text that is not valid JSON or breaks a type-wrapper rule; carries the byte offset in the UTF-8 input.</summary>
public sealed class ExtendedJsonException(string message, long offset, Exception? inner = null)
    : FormatException($"{message} (at byte {offset} of the Extended JSON)", inner)
{
    public long Offset { get; } = offset;
}
