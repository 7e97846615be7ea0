using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_change_stream_next(IntPtr stream, out IntPtr document);

    [LibraryImport(NativeLibraries.Mongoc)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool mongoc_change_stream_error_document(IntPtr stream, BsonError* error, out IntPtr reply);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial IntPtr mongoc_change_stream_get_resume_token(IntPtr stream);

    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_change_stream_destroy(IntPtr stream);
}
