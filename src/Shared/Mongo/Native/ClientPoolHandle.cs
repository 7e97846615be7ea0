namespace Replication.Mongo.Native;

internal sealed unsafe class ClientPoolHandle : NativeHandle
{
    private ClientPoolHandle(IntPtr pointer) : base(pointer, null) { }

    public static ClientPoolHandle Create(UriHandle uri, string? appName)
    {
        BsonError error;
        var pointer = LibMongoc.mongoc_client_pool_new_with_error(uri.Pointer, &error);
        if (pointer == IntPtr.Zero)
            throw new ArgumentException($"libmongoc rejected the connection string: {error.Message}");
        var pool = new ClientPoolHandle(pointer);
        // Version 2 reports server errors in MONGOC_ERROR_SERVER with the server's own code, which is what we classify on.
        LibMongoc.mongoc_client_pool_set_error_api(pointer, LibMongoc.ErrorApiVersion2);
        if (appName is not null) LibMongoc.mongoc_client_pool_set_appname(pointer, appName);
        return pool;
    }

    /// <summary>Blocks until a client is free; callers bound their concurrency to the pool size first.</summary>
    public PooledClientHandle Pop() => new(LibMongoc.mongoc_client_pool_pop(Pointer), this);

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_client_pool_destroy(pointer);
}

/// <summary>A client popped from the pool; releasing it pushes it back rather than destroying it.</summary>
internal sealed class PooledClientHandle : NativeHandle
{
    private readonly IntPtr _pool;

    public PooledClientHandle(IntPtr client, ClientPoolHandle pool) : base(client, pool) => _pool = pool.Pointer;

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_client_pool_push(_pool, pointer);
}
