using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr mongoc_uri_new_with_error(string uri, BsonError* error);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_uri_destroy(IntPtr uri);

    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mongoc_uri_get_option_as_int32(IntPtr uri, string option, int fallback);

    [LibraryImport(NativeLibraries.Mongoc, StringMarshalling = StringMarshalling.Utf8)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_uri_set_option_as_int32(IntPtr uri, string option, int value);
}
