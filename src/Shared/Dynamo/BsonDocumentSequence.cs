using System.Collections;
using Replication.Bson;

namespace Replication.Dynamo;

/// <summary>
/// Documents written back to back into one pooled <see cref="BsonWriter"/>, with their boundaries. The memory of
/// each document is valid until the owner is disposed.
/// </summary>
internal sealed class BsonDocumentSequence : IDisposable
{
    private readonly List<(int Start, int Length)> _documents = [];

    public BsonDocumentSequence(int initialCapacity) => Writer = new BsonWriter(initialCapacity);

    public BsonWriter Writer { get; }
    public int Count => _documents.Count;
    public int ByteLength => Writer.Length;

    /// <summary>Records the document written since <paramref name="start"/> (the writer's length before it).</summary>
    public int Add(int start)
    {
        _documents.Add((start, Writer.Length - start));
        return _documents.Count - 1;
    }

    public ReadOnlyMemory<byte> this[int index]
    {
        get
        {
            var (start, length) = _documents[index];
            return Writer.WrittenMemory.Slice(start, length);
        }
    }

    public void Dispose() => Writer.Dispose();
}

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
