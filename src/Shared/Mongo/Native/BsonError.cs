using System.Runtime.InteropServices;
using System.Text;

namespace Replication.Mongo.Native;

/// <summary>libbson's <c>bson_error_t</c>: 512 bytes, filled by a failing call.</summary>
[StructLayout(LayoutKind.Sequential, Size = 512)]
internal unsafe struct BsonError
{
    public uint Domain;
    public uint Code;
    public fixed byte MessageBytes[504];

    public readonly string Message
    {
        get
        {
            fixed (byte* p = MessageBytes)
            {
                var span = new ReadOnlySpan<byte>(p, 504);
                var end = span.IndexOf((byte)0);
                return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
            }
        }
    }
}

/// <summary>The <c>mongoc_error_domain_t</c> values that decide how an error is surfaced.</summary>
internal static class MongocErrorDomain
{
    public const uint Client = 1;
    public const uint Stream = 2;
    public const uint Protocol = 3;
    public const uint Cursor = 4;
    public const uint Query = 5;
    public const uint Bson = 8;
    public const uint Command = 11;
    public const uint ServerSelection = 15;
    public const uint WriteConcern = 16;
    public const uint Server = 17;
}
