using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    public const int ErrorApiVersion2 = 2;

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_client_pool_new_with_error(IntPtr uri, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_client_pool_destroy(IntPtr pool);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_client_pool_pop(IntPtr pool);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_client_pool_push(IntPtr pool, IntPtr client);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_client_pool_set_error_api(IntPtr pool, int version);

    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_client_pool_set_appname(IntPtr pool, string appName);
}
