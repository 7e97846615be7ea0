using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal sealed class ChangeStreamHandle : NativeHandle
{
    public ChangeStreamHandle(IntPtr pointer, SafeHandle owner) : base(pointer, owner) { }

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_change_stream_destroy(pointer);
}
