using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

/// <summary>A <c>mongoc_cursor_t</c>; it borrows the collection or database (and through it the client) that opened it.</summary>
internal sealed class CursorHandle : NativeHandle
{
    public CursorHandle(IntPtr pointer, SafeHandle owner) : base(pointer, owner) { }

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_cursor_destroy(pointer);
}
