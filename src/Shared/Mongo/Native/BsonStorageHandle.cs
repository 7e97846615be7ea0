using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

/// <summary>
/// Caller-provided <c>bson_t</c> storage: the out-parameter that libmongoc (re)initialises with a reply, or a
/// read-only view over pinned managed bytes (<c>bson_init_static</c>). It starts initialised as an empty document,
/// so destroying it is safe whether or not a call ever wrote to it.
/// </summary>
internal sealed unsafe class BsonStorageHandle : NativeHandle
{
    private BsonStorageHandle(IntPtr pointer) : base(pointer, null) { }

    public static BsonStorageHandle Allocate()
    {
        var pointer = (IntPtr)NativeMemory.AlignedAlloc(LibBson.BsonTSize, LibBson.BsonTSize);
        NativeMemory.Clear((void*)pointer, LibBson.BsonTSize);
        LibBson.bson_init(pointer);
        return new BsonStorageHandle(pointer);
    }

    public byte[] ToArray() => LibBson.Copy(Pointer);

    /// <summary>Points this storage at <paramref name="length"/> bytes that the caller keeps pinned while it is used.</summary>
    public void ViewStatic(byte* data, int length)
    {
        LibBson.bson_destroy(Pointer);
        if (!LibBson.bson_init_static(Pointer, data, (nuint)length))
        {
            LibBson.bson_init(Pointer);
            throw new ArgumentException($"libbson rejected a {length}-byte document as malformed BSON.");
        }
    }

    protected override void Free(IntPtr pointer)
    {
        LibBson.bson_destroy(pointer);
        NativeMemory.AlignedFree((void*)pointer);
    }
}
