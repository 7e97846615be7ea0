using System.Buffers;
using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>Documents copied out of a libmongoc cursor in one worker-thread trip, sharing one managed buffer.</summary>
internal sealed class CursorBatch
{
    private const int MaxBytesPerTrip = 16 * 1024 * 1024;

    private CursorBatch(List<ReadOnlyMemory<byte>> documents, bool exhausted)
    {
        Documents = documents;
        Exhausted = exhausted;
    }

    public List<ReadOnlyMemory<byte>> Documents { get; }

    /// <summary>The cursor has no more documents (it was fully read, or the server closed it).</summary>
    public bool Exhausted { get; }

    /// <summary>Reads up to <paramref name="maxDocuments"/>; a getMore happens inside when the current batch runs out.</summary>
    public static unsafe CursorBatch Read(CursorHandle cursor, int maxDocuments, string operation)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var ranges = new List<(int Offset, int Length)>();
        var exhausted = false;
        while (ranges.Count < maxDocuments && buffer.WrittenCount < MaxBytesPerTrip)
        {
            if (!LibMongoc.mongoc_cursor_next(cursor.Pointer, out var document))
            {
                BsonError error;
                if (LibMongoc.mongoc_cursor_error_document(cursor.Pointer, &error, out var reply))
                    throw MongoErrorTranslator.Translate(error, reply == IntPtr.Zero ? default : LibBson.View(reply), operation);
                exhausted = true;
                break;
            }
            var bytes = LibBson.View(document);
            ranges.Add((buffer.WrittenCount, bytes.Length));
            buffer.Write(bytes);
        }
        var memory = buffer.WrittenMemory;
        var documents = new List<ReadOnlyMemory<byte>>(ranges.Count);
        foreach (var (offset, length) in ranges) documents.Add(memory.Slice(offset, length));
        return new CursorBatch(documents, exhausted);
    }

    /// <summary>Reads a whole (small) cursor, such as listCollections or listIndexes, into documents.</summary>
    public static List<BsonDocument> ReadAll(CursorHandle cursor, string operation)
    {
        var all = new List<BsonDocument>();
        while (true)
        {
            var batch = Read(cursor, int.MaxValue, operation);
            foreach (var document in batch.Documents) all.Add(BsonDocument.Parse(document.Span));
            if (batch.Exhausted) return all;
        }
    }
}
