using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_cursor_next(IntPtr cursor, out IntPtr document);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_cursor_error_document(IntPtr cursor, BsonError* error, out IntPtr reply);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_cursor_destroy(IntPtr cursor);
}
