using Replication.Bson;
using DriverBson = MongoDB.Bson;

namespace Replication.Mongo;

/// <summary>One change event as raw BSON; <see cref="ResumeToken"/> is its <c>_id</c>, a slice of the same bytes.</summary>
public readonly struct ChangeStreamEvent(ReadOnlyMemory<byte> document, ReadOnlyMemory<byte> resumeToken)
{
    public ReadOnlyMemory<byte> Document { get; } = document;

    public ReadOnlyMemory<byte> ResumeToken { get; } = resumeToken;

    /// <summary><c>insert</c>, <c>update</c>, <c>replace</c>, <c>delete</c>, <c>drop</c>, <c>invalidate</c>…</summary>
    public string OperationType =>
        new BsonDocumentReader(Document.Span).TryGetElement("operationType", out var e) && e.Type == BsonType.String ? e.AsString : "";

    public DriverBson.BsonDocument ToBsonDocument() => RawDocuments.Parse(Document.Span);

    internal static ChangeStreamEvent FromDocument(ReadOnlyMemory<byte> document)
    {
        var span = document.Span;
        var reader = new BsonDocumentReader(span);
        if (!reader.TryGetElement("_id", out var id) || id.Type != BsonType.Document)
            return new ChangeStreamEvent(document, default);
        span.Overlaps(id.RawValue, out var offset);
        return new ChangeStreamEvent(document, document.Slice(offset, id.RawValue.Length));
    }
}
