namespace Replication.Mongo.Native;

internal sealed class CollectionHandle : NativeHandle
{
    private CollectionHandle(IntPtr pointer, PooledClientHandle client) : base(pointer, client) { }

    public static CollectionHandle Open(PooledClientHandle client, string database, string collection) =>
        new(LibMongoc.mongoc_client_get_collection(client.Pointer, database, collection), client);

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_collection_destroy(pointer);
}
