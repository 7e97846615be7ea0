using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Replication.Bson;
using Replication.Checkpoints;
using Replication.Cluster;
using Replication.Configuration;
using Replication.MongoAccess;

namespace Replication.ShardActors.Apply;

/// <summary>
/// Writes batches to one target collection and accounts for every item: applied, or dead-lettered with its reason.
/// Transient failures are retried with jittered back-off (every write is idempotent by key); an item the server
/// refuses for what it is goes to the dead letters and never blocks the others; a failure that is neither surfaces
/// as an exception so the caller's checkpoint does not move. A write-concern error (the writes may not survive a
/// failover) makes the whole batch count as not written, even when some items also had write errors: it is sent
/// again, and after the last attempt the error surfaces. When an item is dead-lettered, the older document of its key
/// is removed from the target or kept, as <see cref="TargetWriterOptions.StaleDocuments"/> says, and the dead letter
/// records which. With a <see cref="LeaseFence"/> (a leased unit in a cluster), every write is sent only while the
/// fence holds.
/// </summary>
public sealed class TargetWriter(
    IMongoCollection<RawBsonDocument> collection,
    CheckpointStore checkpoints,
    string table,
    string phase,
    KeyFilterBuilder keys,
    ILogger logger,
    TargetWriterOptions? options = null,
    LeaseFence? fence = null)
{
    private readonly TargetWriterOptions _options = options ?? new TargetWriterOptions();

    public IMongoCollection<RawBsonDocument> Collection => collection;

    public async Task<WriteSummary> WriteAsync(IReadOnlyList<TargetWrite> writes, CancellationToken cancellationToken)
    {
        var summary = WriteSummary.Empty;
        var pending = new List<TargetWrite>(writes.Count);
        var maxSize = MongoCollections.MaxDocumentSize(collection.Database.Client);
        foreach (var write in writes)
        {
            if (ProblemWith(write, maxSize) is { } problem)
            {
                var stale = await DeadLetterAsync(write, problem.Reason, problem.Code, cancellationToken).ConfigureAwait(false);
                summary = summary.Add(WriteSummary.DeadLetter(stale));
            }
            else
            {
                pending.Add(write);
            }
        }

        var attempt = 0;
        while (pending.Count > 0)
        {
            attempt++;
            try
            {
                var models = ToModels(pending);
                await fence.GuardAsync(token => collection.BulkWriteAsync(models, BulkOptions, token), cancellationToken).ConfigureAwait(false);
                return summary.Add(Counted(pending));
            }
            // With a write-concern error nothing in the reply is durable: the whole batch goes round again (below).
            catch (MongoBulkWriteException<RawBsonDocument> bulk) when (bulk.WriteErrors.Count > 0 && bulk.WriteConcernError is null)
            {
                var (retry, dead, applied) = await TriageAsync(pending, bulk, attempt, cancellationToken).ConfigureAwait(false);
                summary = summary.Add(applied).Add(dead);
                pending = retry;
                if (pending.Count > 0) await BackOffAsync(attempt, bulk, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Unreachable, refused credentials, a broken connection: one message naming the host, not the driver's.
                var failure = MongoFailureTranslator.Translate(e, $"bulk write on '{collection.CollectionNamespace.FullName}'", collection.Database.Client);
                if (!WriteErrorClassifier.IsTransient(failure ?? e) || attempt >= _options.MaxAttempts || cancellationToken.IsCancellationRequested)
                {
                    if (failure is not null && !ReferenceEquals(failure, e)) throw failure;
                    throw;
                }
                await BackOffAsync(attempt, failure ?? e, cancellationToken).ConfigureAwait(false);
            }
        }
        return summary;
    }

    private static readonly BulkWriteOptions BulkOptions = new() { IsOrdered = false };

    // MongoDB's error for a document over maxBsonObjectSize; such a document is not sent (the driver would fail the whole batch).
    private const int BsonObjectTooLarge = 10334;

    // Items MongoDB would misread rather than reject (a top-level '$' name makes a replacement look like an update),
    // and items it cannot store at all (over the size limit).
    private static (string Reason, int? Code)? ProblemWith(TargetWrite write, int maxSize)
    {
        if (write.Kind == TargetWriteKind.Delete) return null;
        if (write.Document.Length > maxSize)
            return ($"document is {write.Document.Length} bytes, over MongoDB's {maxSize}-byte limit (maxBsonObjectSize); not sent", BsonObjectTooLarge);
        foreach (var element in new Replication.Bson.BsonDocumentReader(write.Document.Span))
        {
            if (element.NameUtf8.Length > 0 && element.NameUtf8[0] == (byte)'$')
                return ($"attribute '{element.Name}' starts with '$', which MongoDB reserves for operators", null);
        }
        return null;
    }

    // The converter's bytes go to the driver as raw views: no per-field object model on the hot path.
    private static List<WriteModel<RawBsonDocument>> ToModels(List<TargetWrite> writes)
    {
        var models = new List<WriteModel<RawBsonDocument>>(writes.Count);
        foreach (var w in writes)
        {
            models.Add(w.Kind switch
            {
                TargetWriteKind.Insert => new InsertOneModel<RawBsonDocument>(RawDocuments.From(w.Document)),
                TargetWriteKind.Replace => new ReplaceOneModel<RawBsonDocument>(Filter(w.Filter), RawDocuments.From(w.Document)) { IsUpsert = true },
                _ => new DeleteOneModel<RawBsonDocument>(Filter(w.Filter)),
            });
        }
        return models;
    }

    private static FilterDefinition<RawBsonDocument> Filter(ReadOnlyMemory<byte> filter) =>
        new BsonDocumentFilterDefinition<RawBsonDocument>(RawDocuments.From(filter));

    private static WriteSummary Counted(List<TargetWrite> writes)
    {
        long inserts = 0, replaces = 0, deletes = 0;
        foreach (var w in writes)
        {
            switch (w.Kind)
            {
                case TargetWriteKind.Insert: inserts++; break;
                case TargetWriteKind.Replace: replaces++; break;
                default: deletes++; break;
            }
        }
        // A delete of an absent key is still an applied delete: the target holds what the source holds.
        return new WriteSummary(inserts, replaces, deletes, 0);
    }

    private async Task<(List<TargetWrite> Retry, WriteSummary Dead, WriteSummary Applied)> TriageAsync(
        List<TargetWrite> sent, MongoBulkWriteException<RawBsonDocument> bulk, int attempt, CancellationToken cancellationToken)
    {
        var failed = new HashSet<int>();
        var retry = new List<TargetWrite>();
        var dead = WriteSummary.Empty;
        foreach (var error in bulk.WriteErrors)
        {
            if (error.Index < 0 || error.Index >= sent.Count) continue;
            failed.Add(error.Index);
            var write = sent[error.Index];
            if (WriteErrorClassifier.IsDuplicateKey(error) && write.Kind == TargetWriteKind.Insert)
            {
                // The document is already there (a resumed page, or the stream got there first): replace it by key.
                var filter = write.Filter.IsEmpty ? keys.FromDocument(write.Document.Span) : write.Filter;
                retry.Add(write with { Kind = TargetWriteKind.Replace, Filter = filter });
            }
            else if (WriteErrorClassifier.IsTransient(error))
            {
                // Still failing after every attempt: surface it, so no checkpoint moves past an unapplied record.
                if (attempt >= _options.MaxAttempts) throw bulk;
                retry.Add(write);
            }
            else if (WriteErrorClassifier.IsDuplicateKey(error) && attempt < _options.MaxAttempts)
            {
                retry.Add(write); // two upserts of one key raced on a unique index: the retry finds the document
            }
            else
            {
                var stale = await DeadLetterAsync(write, error.Message, error.Code, cancellationToken).ConfigureAwait(false);
                dead = dead.Add(WriteSummary.DeadLetter(stale));
            }
        }
        var applied = Counted(sent.Where((_, i) => !failed.Contains(i)).ToList());
        return (retry, dead, applied);
    }

    private async Task<StaleDocumentOutcome?> DeadLetterAsync(TargetWrite write, string error, int? code, CancellationToken cancellationToken)
    {
        var key = DescribeKey(write);
        var stale = write.Kind == TargetWriteKind.Delete || FilterOf(write) is not { } filter
            ? (StaleDocumentOutcome?)null
            : await ResolveStaleDocumentAsync(filter, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("dead letter: table {Table} key {Key}: {Error}{Stale}", table, key, error,
            stale is StaleDocumentOutcome.Removed ? "; its older document was removed from the target"
            : stale is StaleDocumentOutcome.Kept ? "; its older document stays in the target (dead-letter.stale-document = keep)" : "");
        var letter = new DeadLetterRecord(table, collection.CollectionNamespace.CollectionName, key, phase, error, code, write.Document, write.SequenceNumber) { StaleDocument = stale };
        await fence.GuardAsync(token => checkpoints.AddDeadLetterAsync(letter, token), cancellationToken).ConfigureAwait(false);
        return stale;
    }

    /// <summary>
    /// The target still holds whatever version of the key came before the item that could not be written: remove it
    /// (the target must not show a version the source has replaced) or keep it, by policy. Idempotent, like every write.
    /// </summary>
    public async Task<StaleDocumentOutcome> ResolveStaleDocumentAsync(ReadOnlyMemory<byte> filter, CancellationToken cancellationToken)
    {
        if (_options.StaleDocuments == StaleDocumentPolicy.Remove)
        {
            var result = await fence.GuardAsync(token => collection.DeleteOneAsync(Filter(filter), token), cancellationToken).ConfigureAwait(false);
            return result.DeletedCount > 0 ? StaleDocumentOutcome.Removed : StaleDocumentOutcome.None;
        }
        return await collection.Find(Filter(filter)).Limit(1).AnyAsync(cancellationToken).ConfigureAwait(false)
            ? StaleDocumentOutcome.Kept
            : StaleDocumentOutcome.None;
    }

    private ReadOnlyMemory<byte>? FilterOf(TargetWrite write)
    {
        if (!write.Filter.IsEmpty) return write.Filter;
        try
        {
            return keys.FromDocument(write.Document.Span);
        }
        catch (Exception e) when (e is InvalidOperationException or BsonFormatException)
        {
            return null;
        }
    }

    private string DescribeKey(TargetWrite write) =>
        FilterOf(write) is { } filter ? RelaxedJson(filter) : "(key unknown)";

    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson, Indent = false };

    private static string RelaxedJson(ReadOnlyMemory<byte> document) =>
        BsonSerializer.Deserialize<MongoDB.Bson.BsonDocument>(document.ToArray()).ToJson(Relaxed);

    private async Task BackOffAsync(int attempt, Exception cause, CancellationToken cancellationToken)
    {
        var cap = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.MinBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1));
        var delay = TimeSpan.FromMilliseconds(cap / 2 + Random.Shared.NextDouble() * cap / 2);
        logger.LogInformation("retrying writes to {Collection} in {Delay} ms (attempt {Attempt}): {Error}", collection.CollectionNamespace.FullName, (int)delay.TotalMilliseconds, attempt, cause.Message);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }
}

public sealed record TargetWriterOptions
{
    public int MaxAttempts { get; init; } = 8;
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    public StaleDocumentPolicy StaleDocuments { get; init; } = StaleDocumentPolicy.Remove;
}
