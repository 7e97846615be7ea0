using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Replication.Dynamo.Conversion;

/// <summary>
/// The UTF-8 bytes of the string or property name the reader is on: the reader's own span when the JSON text needs
/// no unescaping (the common case, no copy), else an unescaped copy in a pooled buffer returned on dispose.
/// </summary>
internal ref struct Utf8Value
{
    private byte[]? _rented;

    public ReadOnlySpan<byte> Span { get; private set; }

    /// <summary>True when the JSON text carried escapes, the only way a NUL can reach a name.</summary>
    public bool WasEscaped { get; private set; }

    public static Utf8Value Of(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence) return new Utf8Value { Span = reader.ValueSpan };
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 16));
        var written = reader.CopyString(rented);
        return new Utf8Value { _rented = rented, Span = rented.AsSpan(0, written), WasEscaped = reader.ValueIsEscaped };
    }

    public void Dispose()
    {
        if (_rented is null) return;
        ArrayPool<byte>.Shared.Return(_rented);
        _rented = null;
        Span = default;
    }

    /// <summary>Short, printable text of some bytes for an error message (invalid UTF-8 and control characters made visible).</summary>
    public static string Printable(ReadOnlySpan<byte> utf8, int maxChars = 64)
    {
        var text = Encoding.UTF8.GetString(utf8.Length > maxChars * 4 ? utf8[..(maxChars * 4)] : utf8);
        if (text.Length > maxChars) text = string.Concat(text.AsSpan(0, maxChars), "…");
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return sb.ToString();
    }
}
