using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Checkpoints;

public sealed partial class CheckpointStore
{
    // A dead letter must itself be writable: past this size the item is recorded without its body.
    private const int MaxStoredDocumentBytes = 15 * 1024 * 1024;

    public async Task AddDeadLetterAsync(DeadLetterRecord letter, CancellationToken cancellationToken = default)
    {
        var doc = new BsonDocument
        {
            { "table", letter.Table },
            { "collection", letter.Collection },
            { "key", letter.Key },
            { "phase", letter.Phase },
            { "error", letter.Error },
            { "code", letter.Code is { } c ? c : BsonNull.Value },
            { "sequenceNumber", letter.SequenceNumber is null ? BsonNull.Value : letter.SequenceNumber },
            { "at", Now() },
        };
        if (letter.SourceJson is not null) doc.Add("sourceJson", letter.SourceJson);
        if (letter.StaleDocument is { } stale) doc.Add("staleDocument", StaleDocumentOutcomes.Name(stale));
        if (letter.Document.Length is > 0 and <= MaxStoredDocumentBytes)
            doc.Add("document", new BsonBinaryData(letter.Document.ToArray()));
        else if (letter.Document.Length > 0)
            doc.Add("documentBytes", letter.Document.Length);
        // Stored as opaque bytes: the item was dead-lettered precisely because MongoDB would not take it as a document.
        await _deadLetters.InsertOneAsync(doc, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public Task<long> CountDeadLettersAsync(string? table = null, CancellationToken cancellationToken = default) =>
        CountDeadLettersAsync(table, staleDocument: null, cancellationToken);

    /// <summary>Dead letters (of <paramref name="table"/>, all when null) whose older target document had <paramref name="staleDocument"/> done to it.</summary>
    public async Task<long> CountDeadLettersAsync(string? table, StaleDocumentOutcome? staleDocument, CancellationToken cancellationToken = default)
    {
        var command = new BsonDocument { { "count", _deadLetters.CollectionNamespace.CollectionName } };
        var query = new BsonDocument();
        if (table is not null) query.Add("table", table);
        if (staleDocument is { } stale) query.Add("staleDocument", StaleDocumentOutcomes.Name(stale));
        if (query.ElementCount > 0) command.Add("query", query);
        var reply = await _deadLetters.Database.RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply.GetValue("n", null) switch { BsonInt32 i => i.Value, BsonInt64 l => l.Value, BsonDouble d => (long)d.Value, _ => 0 };
    }

    public Task<List<BsonDocument>> ListDeadLettersAsync(string table, int limit = 100, CancellationToken cancellationToken = default) =>
        _deadLetters.Find(new BsonDocument { { "table", table } }).Sort(new BsonDocument { { "at", 1 } }).Limit(limit).ToListAsync(cancellationToken);
}
