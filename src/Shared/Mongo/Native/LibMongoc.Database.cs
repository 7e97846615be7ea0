using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_database_destroy(IntPtr database);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_database_drop_with_opts(IntPtr database, IntPtr opts, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_database_find_collections_with_opts(IntPtr database, IntPtr opts);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_database_watch(IntPtr database, IntPtr pipeline, IntPtr opts);
}
