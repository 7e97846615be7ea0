namespace Replication.Mongo.Native;

/// <summary>A heap <c>bson_t</c> holding a copy of managed BSON bytes, for arguments libmongoc only reads.</summary>
internal sealed unsafe class OwnedBsonHandle : NativeHandle
{
    private static readonly byte[] EmptyDocument = [5, 0, 0, 0, 0];

    private OwnedBsonHandle(IntPtr pointer) : base(pointer, null) { }

    public static OwnedBsonHandle Copy(ReadOnlySpan<byte> document)
    {
        if (document.IsEmpty) document = EmptyDocument;
        fixed (byte* data = document)
        {
            var pointer = LibBson.bson_new_from_data(data, (nuint)document.Length);
            if (pointer == IntPtr.Zero)
                throw new ArgumentException($"libbson rejected a {document.Length}-byte document as malformed BSON.");
            return new OwnedBsonHandle(pointer);
        }
    }

    /// <summary>Null stays null: libmongoc treats a NULL <c>opts</c>/<c>pipeline</c> as "none".</summary>
    public static OwnedBsonHandle? CopyOrNull(byte[]? document) => document is null ? null : Copy(document);

    public static OwnedBsonHandle? CopyOrNull(ReadOnlyMemory<byte>? document) => document is { } d ? Copy(d.Span) : null;

    protected override void Free(IntPtr pointer) => LibBson.bson_destroy(pointer);
}
