namespace Replication.Mongo.Native;

internal sealed unsafe class UriHandle : NativeHandle
{
    private UriHandle(IntPtr pointer) : base(pointer, null) { }

    /// <summary>Parses the connection string with libmongoc itself, so every option it knows is honoured.</summary>
    public static UriHandle Parse(string connectionString)
    {
        BsonError error;
        var pointer = LibMongoc.mongoc_uri_new_with_error(connectionString, &error);
        if (pointer == IntPtr.Zero)
            throw new ArgumentException($"Invalid MongoDB connection string: {error.Message}", nameof(connectionString));
        return new UriHandle(pointer);
    }

    public int GetInt32Option(string name, int fallback) => LibMongoc.mongoc_uri_get_option_as_int32(Pointer, name, fallback);

    protected override void Free(IntPtr pointer) => LibMongoc.mongoc_uri_destroy(pointer);
}
