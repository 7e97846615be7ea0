using System.Reflection;
using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

/// <summary>
/// Finds libmongoc/libbson under the names each platform's packages install, and runs <c>mongoc_init</c> once.
/// <c>mongoc_cleanup</c> is deliberately never called: handles may outlive any point we could pick, and the OS
/// reclaims everything at exit.
/// </summary>
internal static class NativeLibraries
{
    internal const string Mongoc = "mongoc-1.0";
    internal const string Bson = "bson-1.0";

    private static readonly Lazy<bool> Initialized = new(InitializeOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureInitialized() => _ = Initialized.Value;

    private static bool InitializeOnce()
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
        LibMongoc.mongoc_init();
        LibMongoc.UseQuietLogHandler();
        return true;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var candidates = libraryName switch
        {
            Mongoc => CandidateNames("mongoc-1.0"),
            Bson => CandidateNames("bson-1.0"),
            _ => null,
        };
        if (candidates is null) return IntPtr.Zero;
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
        }
        throw new DllNotFoundException(
            $"Could not load lib{libraryName} (tried {string.Join(", ", candidates)}). Install the MongoDB C driver " +
            "(Debian/Ubuntu: apt-get install libmongoc-1.0-0; macOS: brew install mongo-c-driver@1).");
    }

    private static string[] CandidateNames(string stem)
    {
        if (OperatingSystem.IsWindows()) return [$"{stem}.dll", $"lib{stem}.dll"];
        if (OperatingSystem.IsMacOS()) return [$"lib{stem}.0.dylib", $"lib{stem}.dylib"];
        return [$"lib{stem}.so.0", $"lib{stem}.so"];
    }
}
