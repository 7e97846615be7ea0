using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_find_and_modify_opts_new();

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_find_and_modify_opts_destroy(IntPtr opts);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_find_and_modify_opts_set_sort(IntPtr opts, IntPtr sort);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_find_and_modify_opts_set_update(IntPtr opts, IntPtr update);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_find_and_modify_opts_set_fields(IntPtr opts, IntPtr fields);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_find_and_modify_opts_set_flags(IntPtr opts, int flags);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_find_and_modify_opts_append(IntPtr opts, IntPtr extra);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_collection_find_and_modify_with_opts(
        IntPtr collection, IntPtr query, IntPtr opts, IntPtr reply, BsonError* error);

    public const int FindAndModifyRemove = 1;
    public const int FindAndModifyUpsert = 2;
    public const int FindAndModifyReturnNew = 4;
}
