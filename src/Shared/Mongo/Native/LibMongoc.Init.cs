using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_init();
}
