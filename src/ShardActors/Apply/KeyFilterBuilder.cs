using Replication.Bson;
using Replication.Dynamo.Conversion;

namespace Replication.ShardActors.Apply;

/// <summary>
/// Builds the by-key filter of a converted document: <c>{_id: …}</c> in <c>id</c> mode, the key attributes in
/// <c>fields</c> mode — the same filter the converter writes from a stream record's Keys.
/// </summary>
public sealed class KeyFilterBuilder(IdentityMode identity, TableKeySchema key)
{
    public byte[] FromDocument(ReadOnlySpan<byte> document)
    {
        var reader = new BsonDocumentReader(document);
        using var writer = new BsonWriter(64);
        writer.WriteStartDocument();
        if (identity == IdentityMode.Id)
        {
            CopyField(reader, "_id", writer);
        }
        else
        {
            CopyField(reader, key.HashKey, writer);
            if (key.RangeKey is not null) CopyField(reader, key.RangeKey, writer);
        }
        writer.WriteEndDocument();
        return writer.ToArray();
    }

    private static void CopyField(BsonDocumentReader reader, string name, BsonWriter writer)
    {
        if (!reader.TryGetElement(name, out var element))
            throw new InvalidOperationException($"the document has no key field '{name}'");
        writer.WriteName(element.NameUtf8);
        writer.WriteRawValue(element.Type, element.RawValue);
    }
}
