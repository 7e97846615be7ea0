using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Checkpoints;
using Replication.Cluster;

namespace Replication.ShardActors.MongoSource;

/// <summary>Where a MongoDB source stands as a whole: recording its start position, copying, following its change streams, or done (mode full).</summary>
public enum MongoSyncPhase { Starting, Copying, Incremental, Done }

/// <summary>The source's state document: phase and generation (a re-sync after a lost resume point starts a new generation).</summary>
public sealed record MongoSyncState(int Generation, MongoSyncPhase Phase, DateTime StartedAt, DateTime? CopyFinishedAt);

/// <summary>One change stream's position: the resume token of the last applied batch (or the one recorded before the copy).</summary>
/// <param name="Unit">"cluster", or the source database name for database-level streams.</param>
/// <param name="LastEventTime">Cluster time of the last applied event; null until one is applied.</param>
/// <param name="LagSeconds">How far behind the source its last batch was when applied; 0 when caught up.</param>
/// <param name="Lease">In a cluster, the stream's lease (its owner follows the stream); null on a single node.</param>
/// <param name="Lost">In a cluster, what the source said when the stream's node found its resume point lost; null while it is not.</param>
/// <param name="Stopped">In a cluster, why the coordinator stopped the run (incremental.on-trimmed-data = stop); null while it runs.</param>
public sealed record StreamCheckpoint(string Unit, int Generation, BsonDocument ResumeToken, long EventsApplied, DateTime? LastEventTime, DateTime UpdatedAt,
    double LagSeconds = 0, CheckpointLease? Lease = null, string? Lost = null, string? Stopped = null);

/// <summary>A leased change stream's node found its resume point gone from the source's oplog; the coordinator decides what follows.</summary>
public sealed record LostStream(string Unit, string Detail);

/// <summary>One source collection of the copy: where it goes, its options and whether its ranges are planned and its indexes built.</summary>
public sealed record CollectionCheckpoint(string Namespace, string Target, int Generation, long EstimatedDocuments, int Ranges, bool IndexesBuilt, bool Done);

/// <summary>
/// One <c>_id</c> range of a collection, [Min, Max) in index order (MinKey/MaxKey at the ends), and how far its copy got:
/// every document up to and including <see cref="LastId"/> is on the target. <see cref="Lease"/> is its lease in a
/// cluster (as read; null when never leased).
/// </summary>
public sealed record RangeCheckpoint(string Id, string Namespace, string Target, int Generation, int Index, BsonValue Min, BsonValue Max,
    BsonValue? LastId, long Copied, bool Done, CheckpointLease? Lease = null);

/// <summary>
/// The checkpoint documents of a MongoDB source, in the checkpoint database: <c>mongoSource</c> (state and one document per
/// change stream), <c>mongoCollections</c> and <c>mongoRanges</c> (the copy). Each write is one conditional update, so a
/// position only moves forward from what was acknowledged.
/// </summary>
public sealed class MongoSyncCheckpoints(IMongoDatabase database)
{
    private const string StateId = "state";
    private readonly IMongoCollection<BsonDocument> _source = database.GetCollection<BsonDocument>("mongoSource");
    private readonly IMongoCollection<BsonDocument> _collections = database.GetCollection<BsonDocument>("mongoCollections");
    private readonly IMongoCollection<BsonDocument> _ranges = database.GetCollection<BsonDocument>("mongoRanges");
    private readonly IMongoCollection<BsonDocument> _applied = database.GetCollection<BsonDocument>("mongoApplied");
    private readonly IMongoCollection<BsonDocument> _problems = database.GetCollection<BsonDocument>("mongoTargetProblems");

    public IMongoDatabase Database => database;

    public async Task<MongoSyncState?> LoadStateAsync(CancellationToken cancellationToken)
    {
        var doc = await _source.Find(Id(StateId)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return doc is null ? null : new MongoSyncState(doc["generation"].AsInt32, Enum.Parse<MongoSyncPhase>(doc["phase"].AsString),
            doc["startedAt"].ToUniversalTime(), doc.TryGetValue("copyFinishedAt", out var f) && !f.IsBsonNull ? f.ToUniversalTime() : null);
    }

    public Task SaveStateAsync(MongoSyncState state, CancellationToken cancellationToken) =>
        _source.ReplaceOneAsync(Id(StateId), new BsonDocument
        {
            { "_id", StateId },
            { "generation", state.Generation },
            { "phase", state.Phase.ToString() },
            { "startedAt", state.StartedAt },
            { "copyFinishedAt", state.CopyFinishedAt is { } f ? f : BsonNull.Value },
        }, new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<IReadOnlyList<StreamCheckpoint>> LoadStreamsAsync(int generation, CancellationToken cancellationToken)
    {
        var docs = await _source.Find(new BsonDocument { { "kind", "stream" }, { "generation", generation } }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return docs.Select(d => new StreamCheckpoint(d["unit"].AsString, generation, d["token"].AsBsonDocument, d["eventsApplied"].ToInt64(),
            d.TryGetValue("lastEventTime", out var t) && !t.IsBsonNull ? t.ToUniversalTime() : null, d["updatedAt"].ToUniversalTime(),
            d.GetValue("lagSeconds", 0.0).ToDouble(), LeaseTable.ReadLease(d), d.GetValue("lost", BsonNull.Value) is BsonString lost ? lost.Value : null,
            d.GetValue("stopped", BsonNull.Value) is BsonString stopped ? stopped.Value : null)).ToList();
    }

    /// <summary>The stream checkpoint of <paramref name="unit"/> in <paramref name="generation"/>; null when a re-sync or a reset replaced it.</summary>
    public async Task<StreamCheckpoint?> FindStreamAsync(string unit, int generation, CancellationToken cancellationToken) =>
        (await LoadStreamsAsync(generation, cancellationToken).ConfigureAwait(false)).SingleOrDefault(s => s.Unit == unit);

    /// <summary>
    /// In a cluster, once the copy is done: every change stream of <paramref name="generation"/> may be taken by any
    /// member's unit entity (<see cref="MongoLeasedWork"/>), which follows it from its resume token.
    /// </summary>
    public Task MakeStreamsLeasableAsync(int generation, CancellationToken cancellationToken) =>
        _source.UpdateManyAsync(new BsonDocument { { "kind", "stream" }, { "generation", generation } },
            new BsonDocument("$set", new BsonDocument("leasable", true)), cancellationToken: cancellationToken);

    /// <summary>
    /// A leased stream's resume point is lost: recorded in its checkpoint (while the lease is still
    /// <paramref name="lease"/>), which takes the stream out of the leasable units, for the coordinator to act on.
    /// </summary>
    public async Task ReportStreamLostAsync(string unit, int generation, string detail, CheckpointFence lease, CancellationToken cancellationToken)
    {
        var result = await _source.UpdateOneAsync(StreamFilter(unit, generation, lease),
            new BsonDocument("$set", new BsonDocument { { "lost", detail }, { "updatedAt", DateTime.UtcNow } }), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (result.MatchedCount == 0) throw StreamConflict(unit, generation, lease);
    }

    /// <summary>
    /// In a cluster, when a lost resume point stops the run (incremental.on-trimmed-data = stop): every change stream of
    /// <paramref name="generation"/> is marked stopped with <paramref name="reason"/>, which takes it out of the leasable
    /// units for good (also for a later coordinator), and its lease is revoked, so its holder's next renewal and its next
    /// position write are refused and it stops following.
    /// </summary>
    public Task StopStreamsAsync(int generation, string reason, CancellationToken cancellationToken) =>
        _source.UpdateManyAsync(new BsonDocument { { "kind", "stream" }, { "generation", generation } },
            new BsonDocument("$set", new BsonDocument
            {
                { "stopped", reason }, { "updatedAt", DateTime.UtcNow }, { "lease.owner", BsonNull.Value }, { "lease.expiresAt", BsonNull.Value },
            }), cancellationToken: cancellationToken);

    /// <summary>The first stream of <paramref name="generation"/> whose node reported its resume point lost, if any.</summary>
    public async Task<LostStream?> FindLostStreamAsync(int generation, CancellationToken cancellationToken)
    {
        var doc = await _source.Find(new BsonDocument { { "kind", "stream" }, { "generation", generation }, { "lost", new BsonDocument("$exists", true) } })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return doc is null ? null : new LostStream(doc["unit"].AsString, doc["lost"].AsString);
    }

    /// <summary>The position recorded before the copy: written once per stream and generation, before any document is copied.</summary>
    public Task SaveStartAsync(string unit, int generation, BsonDocument token, CancellationToken cancellationToken) =>
        _source.ReplaceOneAsync(Id(StreamId(unit)), new BsonDocument
        {
            { "_id", StreamId(unit) }, { "kind", "stream" }, { "unit", unit }, { "generation", generation }, { "token", token },
            { "eventsApplied", 0L }, { "lastEventTime", BsonNull.Value }, { "updatedAt", DateTime.UtcNow },
        }, new ReplaceOptions { IsUpsert = true }, cancellationToken);

    /// <summary>
    /// After a batch was applied (or an empty batch moved the stream's high-water mark): the token after it, and how far
    /// behind the source the batch's last event was when it was applied (0 for an empty batch: the stream is caught up).
    /// </summary>
    /// <param name="lease">A leased stream's lease (in a cluster): the position moves only while the stream is still leased to it.</param>
    public async Task SaveStreamPositionAsync(string unit, int generation, BsonDocument token, long applied, DateTime? lastEventTime,
        IReadOnlyDictionary<string, int>? perNamespace, CheckpointFence? lease, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var set = new BsonDocument { { "token", token }, { "updatedAt", now }, { "lagSeconds", lastEventTime is { } e ? Math.Max(0, (now - e).TotalSeconds) : 0.0 } };
        if (lastEventTime is { } t) set.Add("lastEventTime", t);
        var result = await _source.UpdateOneAsync(StreamFilter(unit, generation, lease),
            new BsonDocument { { "$set", set }, { "$inc", new BsonDocument("eventsApplied", applied) } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.MatchedCount == 0) throw StreamConflict(unit, generation, lease);
        // A count for people, not a position: written once the position is (a superseded owner's batch never counts).
        if (perNamespace is { Count: > 0 })
            await _applied.BulkWriteAsync(perNamespace.Select(p => new UpdateOneModel<BsonDocument>(Id(p.Key), new BsonDocument
            {
                { "$inc", new BsonDocument("events", (long)p.Value) }, { "$set", new BsonDocument("generation", generation) },
            }) { IsUpsert = true }), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static BsonDocument StreamFilter(string unit, int generation, CheckpointFence? lease)
    {
        var filter = new BsonDocument { { "_id", StreamId(unit) }, { "generation", generation } };
        if (lease is not null)
        {
            filter.Add("lease.owner", lease.Owner);
            filter.Add("lease.counter", lease.Counter);
        }
        return filter;
    }

    private static Exception StreamConflict(string unit, int generation, CheckpointFence? lease) => lease is not null
        ? new CheckpointConflictException($"the change stream '{unit}' is no longer leased to {lease.Owner} (counter {lease.Counter}): another node took it over, or a re-sync replaced it")
        : new InvalidOperationException($"the change stream checkpoint of '{unit}' (generation {generation}) is gone: a re-sync or a reset replaced it");

    public async Task<IReadOnlyList<CollectionCheckpoint>> LoadCollectionsAsync(int generation, CancellationToken cancellationToken)
    {
        var docs = await _collections.Find(new BsonDocument("generation", generation)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return docs.Select(d => new CollectionCheckpoint(d["ns"].AsString, d["target"].AsString, generation, d["estimated"].ToInt64(), d["ranges"].AsInt32,
            d["indexesBuilt"].AsBoolean, d["done"].AsBoolean)).ToList();
    }

    /// <summary>A planned collection and its ranges; written together before any of its documents is copied.</summary>
    public async Task SavePlanAsync(CollectionCheckpoint collection, IReadOnlyList<RangeCheckpoint> ranges, CancellationToken cancellationToken)
    {
        if (ranges.Count > 0)
            await _ranges.BulkWriteAsync(ranges.Select(r => new ReplaceOneModel<BsonDocument>(Id(r.Id), ToDocument(r)) { IsUpsert = true }),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        await _collections.ReplaceOneAsync(Id(CollectionId(collection.Generation, collection.Namespace)), new BsonDocument
        {
            { "_id", CollectionId(collection.Generation, collection.Namespace) }, { "generation", collection.Generation }, { "ns", collection.Namespace },
            { "target", collection.Target }, { "estimated", collection.EstimatedDocuments }, { "ranges", collection.Ranges },
            { "indexesBuilt", collection.IndexesBuilt }, { "done", collection.Done },
        }, new ReplaceOptions { IsUpsert = true }, cancellationToken).ConfigureAwait(false);
    }

    public Task MarkCollectionAsync(int generation, string ns, bool? indexesBuilt, bool? done, CancellationToken cancellationToken)
    {
        var set = new BsonDocument();
        if (indexesBuilt is { } i) set.Add("indexesBuilt", i);
        if (done is { } d) set.Add("done", d);
        return _collections.UpdateOneAsync(Id(CollectionId(generation, ns)), new BsonDocument("$set", set), cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<RangeCheckpoint>> LoadRangesAsync(int generation, CancellationToken cancellationToken)
    {
        var docs = await _ranges.Find(new BsonDocument("generation", generation)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return docs.Select(FromDocument).ToList();
    }

    public async Task<RangeCheckpoint> LoadRangeAsync(string id, CancellationToken cancellationToken) =>
        FromDocument(await _ranges.Find(Id(id)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the range checkpoint '{id}' is gone: a re-sync or a reset replaced it"));

    /// <summary>The range as its checkpoint has it now; null when it is gone (a re-sync or a reset).</summary>
    public async Task<RangeCheckpoint?> FindRangeAsync(string id, CancellationToken cancellationToken) =>
        await _ranges.Find(Id(id)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) is { } doc ? FromDocument(doc) : null;

    /// <summary>
    /// After a batch is acknowledged by the target: the range's position moves to its last document. With a
    /// <paramref name="lease"/> (a leased range, in a cluster) only while the range's lease is still that one.
    /// </summary>
    public Task SaveRangeProgressAsync(RangeCheckpoint range, BsonValue lastId, long copied, CheckpointFence? lease, CancellationToken cancellationToken) =>
        UpdateRangeAsync(range, new BsonDocument
        {
            { "$set", new BsonDocument { { "lastId", new BsonDocument("v", lastId) }, { "updatedAt", DateTime.UtcNow } } },
            { "$inc", new BsonDocument("copied", copied) },
        }, lease, cancellationToken);

    /// <summary>The range is copied to its end; a leased range also records which node finished it (<c>doneBy</c>).</summary>
    public Task MarkRangeDoneAsync(RangeCheckpoint range, CheckpointFence? lease, CancellationToken cancellationToken)
    {
        var set = new BsonDocument { { "done", true }, { "updatedAt", DateTime.UtcNow } };
        if (lease is not null) set.Add("doneBy", lease.Owner);
        return UpdateRangeAsync(range, new BsonDocument("$set", set), lease, cancellationToken);
    }

    /// <summary>In a cluster: every range of <paramref name="ns"/> not done yet may be taken by the unit entity sharding puts on any member.</summary>
    public Task MakeRangesLeasableAsync(int generation, string ns, CancellationToken cancellationToken) =>
        _ranges.UpdateManyAsync(new BsonDocument { { "generation", generation }, { "ns", ns }, { "done", false } },
            new BsonDocument("$set", new BsonDocument("leasable", true)), cancellationToken: cancellationToken);

    private async Task UpdateRangeAsync(RangeCheckpoint range, BsonDocument update, CheckpointFence? lease, CancellationToken cancellationToken)
    {
        var filter = Id(range.Id);
        if (lease is not null)
        {
            filter.Add("lease.owner", lease.Owner);
            filter.Add("lease.counter", lease.Counter);
        }
        var result = await _ranges.UpdateOneAsync(filter, update, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.MatchedCount == 0)
            throw lease is not null
                ? new CheckpointConflictException($"the range {range.Id} is no longer leased to {lease.Owner} (counter {lease.Counter}): another node took it over")
                : new InvalidOperationException($"the range checkpoint '{range.Id}' is gone: a re-sync or a reset replaced it");
    }

    /// <summary>Change events applied per source namespace (this generation and earlier ones: a count for people, not a position).</summary>
    public async Task<IReadOnlyDictionary<string, long>> LoadAppliedAsync(CancellationToken cancellationToken)
    {
        var docs = await _applied.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(cancellationToken).ConfigureAwait(false);
        return docs.ToDictionary(d => d["_id"].AsString, d => d["events"].ToInt64());
    }

    /// <summary>An index or collection option the target refused; one document per target namespace and thing (a repeat updates it).</summary>
    public Task SaveTargetProblemAsync(TargetProblem problem, CancellationToken cancellationToken) =>
        _problems.ReplaceOneAsync(Id($"{problem.Namespace} {problem.What}"), new BsonDocument
        {
            { "_id", $"{problem.Namespace} {problem.What}" }, { "ns", problem.Namespace }, { "kind", problem.Kind }, { "what", problem.What },
            { "error", problem.Error }, { "at", problem.At },
        }, new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<IReadOnlyList<TargetProblem>> LoadTargetProblemsAsync(CancellationToken cancellationToken)
    {
        var docs = await _problems.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(cancellationToken).ConfigureAwait(false);
        return docs.Select(d => new TargetProblem(d["ns"].AsString, d["kind"].AsString, d["what"].AsString, d["error"].AsString, d["at"].ToUniversalTime()))
            .ToList();
    }

    /// <summary>Forgets every copy and stream position (a re-sync, or `checkpoints reset`); the next run records a new start and copies again.</summary>
    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        await _ranges.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken).ConfigureAwait(false);
        await _collections.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken).ConfigureAwait(false);
        await _source.DeleteManyAsync(new BsonDocument("kind", "stream"), cancellationToken).ConfigureAwait(false);
        await _applied.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken).ConfigureAwait(false);
        await _problems.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets everything, the state too: the next run starts from scratch (`checkpoints reset`).</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await ForgetAsync(cancellationToken).ConfigureAwait(false);
        await _source.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken).ConfigureAwait(false);
    }

    public static string StreamId(string unit) => $"stream:{unit}";

    public static string CollectionId(int generation, string ns) => $"{generation}:{ns}";

    public static string RangeId(int generation, string ns, int index) => $"{generation}:{ns}#{index}";

    private static BsonDocument Id(string id) => new("_id", id);

    private static BsonDocument ToDocument(RangeCheckpoint r) => new()
    {
        { "_id", r.Id }, { "generation", r.Generation }, { "ns", r.Namespace }, { "target", r.Target }, { "index", r.Index },
        { "min", r.Min }, { "max", r.Max }, { "lastId", r.LastId is { } l ? new BsonDocument("v", l) : BsonNull.Value },
        { "copied", r.Copied }, { "done", r.Done }, { "updatedAt", DateTime.UtcNow },
    };

    private static RangeCheckpoint FromDocument(BsonDocument d) => new(d["_id"].AsString, d["ns"].AsString, d["target"].AsString, d["generation"].AsInt32,
        d["index"].AsInt32, d["min"], d["max"], LastIdOf(d["lastId"]), d["copied"].ToInt64(), d["done"].AsBoolean, LeaseTable.ReadLease(d));

    // lastId is held inside {v: …}, so an _id that is itself null stays distinguishable from "nothing copied yet".
    private static BsonValue? LastIdOf(BsonValue stored) => stored is BsonDocument { ElementCount: 1 } d && d.Contains("v") ? d["v"] : null;
}
