using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_client_read_command_with_opts(
        IntPtr client, string db, IntPtr command, IntPtr readPrefs, IntPtr opts, IntPtr reply, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_client_write_command_with_opts(
        IntPtr client, string db, IntPtr command, IntPtr opts, IntPtr reply, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_client_command_with_opts(
        IntPtr client, string db, IntPtr command, IntPtr readPrefs, IntPtr opts, IntPtr reply, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr mongoc_client_get_collection(IntPtr client, string db, string collection);

    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr mongoc_client_get_database(IntPtr client, string db);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_client_watch(IntPtr client, IntPtr pipeline, IntPtr opts);
}
