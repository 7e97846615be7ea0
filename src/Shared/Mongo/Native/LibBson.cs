using System.Runtime.InteropServices;

namespace Replication.Mongo.Native;

/// <summary>The few libbson entry points needed to move whole documents across the boundary as bytes.</summary>
internal static unsafe partial class LibBson
{
    /// <summary>Size and alignment of <c>bson_t</c> (declared <c>BSON_ALIGNED_BEGIN(128)</c>).</summary>
    public const int BsonTSize = 128;

    [LibraryImport(NativeLibraries.Bson)]
    public static partial IntPtr bson_new_from_data(byte* data, nuint length);

    [LibraryImport(NativeLibraries.Bson)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool bson_init_static(IntPtr bson, byte* data, nuint length);

    [LibraryImport(NativeLibraries.Bson)]
    public static partial void bson_init(IntPtr bson);

    [LibraryImport(NativeLibraries.Bson)]
    public static partial void bson_destroy(IntPtr bson);

    [LibraryImport(NativeLibraries.Bson)]
    public static partial byte* bson_get_data(IntPtr bson);

    /// <summary><c>bson_t.len</c> sits right after the 32-bit flags.</summary>
    public static int Length(IntPtr bson) => *(int*)((byte*)bson + 4);

    public static ReadOnlySpan<byte> View(IntPtr bson) => new(bson_get_data(bson), Length(bson));

    public static byte[] Copy(IntPtr bson) => bson == IntPtr.Zero ? [] : View(bson).ToArray();
}
