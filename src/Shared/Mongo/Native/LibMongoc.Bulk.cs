using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_bulk_operation_insert_with_opts(IntPtr bulk, IntPtr document, IntPtr opts, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_bulk_operation_replace_one_with_opts(
        IntPtr bulk, IntPtr selector, IntPtr document, IntPtr opts, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_bulk_operation_update_one_with_opts(
        IntPtr bulk, IntPtr selector, IntPtr document, IntPtr opts, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_bulk_operation_remove_one_with_opts(IntPtr bulk, IntPtr selector, IntPtr opts, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial uint mongoc_bulk_operation_execute(IntPtr bulk, IntPtr reply, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_bulk_operation_destroy(IntPtr bulk);
}
