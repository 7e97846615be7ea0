using System.Collections;
using System.Text.Json;
using Replication.Bson;
using Replication.Dynamo.Conversion;

namespace Replication.Dynamo;

/// <summary>
/// Documents converted back to back into one pooled buffer, with their boundaries. The converter writes through a
/// <see cref="BsonWriter"/> that hands over each document only when it is complete, so an item that fails half-way
/// leaves nothing behind and the page goes on. The memory of each document is valid until this is disposed.
/// </summary>
internal sealed class BsonDocumentSequence : IDisposable
{
    private readonly PooledBufferWriter _output;
    private readonly BsonWriter _writer;
    private readonly List<(int Start, int Length)> _documents = [];

    public BsonDocumentSequence(int initialCapacity)
    {
        _output = new PooledBufferWriter(initialCapacity);
        _writer = new BsonWriter(_output);
    }

    public int Count => _documents.Count;
    public int ByteLength => _output.Length;

    /// <summary>
    /// Converts the JSON object the reader is on (an item, or a key map when <paramref name="keyFilter"/>); returns its index, or -1 with <paramref name="failure"/> set when the
    /// item cannot be converted (the reader is then past the object and the failure holds its raw JSON).
    /// </summary>
    public int Convert(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, DynamoItemConverter converter, bool keyFilter, out ItemConversionFailure? failure)
    {
        var start = _output.Length;
        var before = reader;
        try
        {
            if (keyFilter) converter.WriteKeyFilter(ref reader, _writer);
            else converter.WriteDocument(ref reader, _writer);
        }
        catch (ItemConversionException e)
        {
            _writer.Reset();
            reader = before;
            var from = (int)reader.TokenStartIndex;
            reader.Skip();
            failure = new ItemConversionFailure(System.Text.Encoding.UTF8.GetString(json[from..(int)reader.BytesConsumed]), e);
            return -1;
        }
        failure = null;
        _documents.Add((start, _output.Length - start));
        return _documents.Count - 1;
    }

    public ReadOnlyMemory<byte> this[int index]
    {
        get
        {
            var (start, length) = _documents[index];
            return _output.WrittenMemory.Slice(start, length);
        }
    }

    public void Dispose()
    {
        _writer.Dispose();
        _output.Dispose();
    }
}

/// <summary>
/// An item that could not be converted: its DynamoDB JSON as received and why. It is reported, never dropped, so
/// the caller can dead-letter it and still advance past it.
/// </summary>
public sealed record ItemConversionFailure(string ItemJson, ItemConversionException Error);

/// <summary>The converted documents of one page, in order.</summary>
public readonly struct BsonDocumentList : IReadOnlyList<ReadOnlyMemory<byte>>
{
    private readonly BsonDocumentSequence? _sequence;

    internal BsonDocumentList(BsonDocumentSequence sequence) => _sequence = sequence;

    public int Count => _sequence?.Count ?? 0;
    public ReadOnlyMemory<byte> this[int index] => _sequence is null ? throw new ArgumentOutOfRangeException(nameof(index)) : _sequence[index];

    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
