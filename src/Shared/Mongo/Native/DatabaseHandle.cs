namespace Replication.Mongo.Native;

internal sealed class DatabaseHandle : NativeHandle
{
    private DatabaseHandle(IntPtr pointer, PooledClientHandle client) : base(pointer, client) { }

    public static DatabaseHandle Open(PooledClientHandle client, string database) =>
        new(LibMongoc.mongoc_client_get_database(client.Pointer, database), client);

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_database_destroy(pointer);
}
