using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

internal static unsafe partial class LibMongoc
{
    [LibraryImport(NativeLibraries.Mongoc)]
    public static partial void mongoc_log_set_handler(delegate* unmanaged[Cdecl]<int, byte*, byte*, void*, void> handler, void* userData);

    private const int LogLevelWarning = 2;

    /// <summary>
    /// Replaces libmongoc's default handler, which prints every level (DEBUG included: one line per failed server check)
    /// to the console: warnings and worse go to stderr, the rest is dropped. The node reports outages itself.
    /// </summary>
    public static void UseQuietLogHandler() => mongoc_log_set_handler(&WarningsToStandardError, null);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void WarningsToStandardError(int level, byte* domain, byte* message, void* userData)
    {
        if (level > LogLevelWarning) return;
        Console.Error.WriteLine($"mongoc {(level == LogLevelWarning ? "warning" : "error")}: {Marshal.PtrToStringUTF8((IntPtr)domain)}: {Marshal.PtrToStringUTF8((IntPtr)message)}");
    }
}
