namespace Replication.Mongo.Native;

internal sealed class BulkOperationHandle : NativeHandle
{
    public BulkOperationHandle(IntPtr pointer, CollectionHandle collection) : base(pointer, collection) { }

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_bulk_operation_destroy(pointer);
}
