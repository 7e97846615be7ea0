using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_collection_destroy(IntPtr collection);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_collection_drop_with_opts(IntPtr collection, IntPtr opts, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_collection_find_with_opts(IntPtr collection, IntPtr filter, IntPtr opts, IntPtr readPrefs);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_collection_find_indexes_with_opts(IntPtr collection, IntPtr opts);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_collection_watch(IntPtr collection, IntPtr pipeline, IntPtr opts);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_collection_create_bulk_operation_with_opts(IntPtr collection, IntPtr opts);
}
