using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Configuration;
using Replication.Metrics;

namespace Replication.ShardActors.MongoSource;

/// <summary>What the DB-syncer actors of one copy share: the planner, the range copier (with its one rate limit), the checkpoints.</summary>
/// <param name="Restarts">Failures in a row per collection and per range; they set the restart back-off.</param>
/// <param name="RangesLeased">In a cluster: a collection's ranges are made leasable and copied by the members' sharded unit entities, not by its own children.</param>
public sealed record DbSyncerServices(CollectionPlanner Planner, RangeCopier Copier, TargetPreparer Preparer, MongoSyncCheckpoints Checkpoints,
    MongoSourceSettings Settings, int Generation, ReplicationMetrics Metrics, RestartLedger Restarts, ILoggerFactory Loggers, bool RangesLeased = false);

/// <summary>One collection the copy covers: its listCollections entry, or null when it was planned by an earlier run.</summary>
public sealed record CollectionToCopy(CollectionNamespace Source, BsonDocument? Entry);

/// <summary>A collection actor asks its parent for one copier slot (to plan, or to copy one range).</summary>
public sealed record CopierSlotWanted;

/// <summary>The parent grants one copier slot; at most <c>copiers</c> are out at once, across all collections.</summary>
public sealed record CopierSlotGranted;

/// <summary>A collection actor hands copier slots back (work done, a grant it no longer needs, or a restart).</summary>
public sealed record CopierSlotsReturned(int Count);

/// <summary>Every range of the collection is copied, its indexes built (when after) and its checkpoint marked done.</summary>
public sealed record CollectionCopied(string Namespace);

/// <summary>A range is copied to its end and marked done in its checkpoint.</summary>
public sealed record RangeCopied(string RangeId);
