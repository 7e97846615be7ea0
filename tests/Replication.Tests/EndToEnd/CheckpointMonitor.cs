using System.Collections.Concurrent;
using Replication.Checkpoints;
using Replication.Dynamo;

namespace Replication.Tests.EndToEnd;

/// <summary>
/// Samples every checkpoint of some tables while a test runs — across kills and restarts — and records any position that
/// went backwards: a segment's items or pages, a shard's sequence number, or a finished segment or shard unfinished.
/// </summary>
public sealed class CheckpointMonitor : IAsyncDisposable, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<string, (long Items, long Pages, bool Done)> _segments = new();
    private readonly Dictionary<string, (SequenceNumber? Position, bool Finished)> _shards = new();
    private int _samples;
    private bool _stopped;

    public CheckpointMonitor(CheckpointStore store, params string[] tables) => _loop = RunAsync(store, tables, _stop.Token);

    public ConcurrentQueue<string> Regressions { get; } = new();
    public int Samples => Volatile.Read(ref _samples);

    /// <summary>Stops sampling and fails when any checkpoint went backwards or too few samples were taken to tell.</summary>
    public async Task AssertNoneWentBackwardsAsync()
    {
        await DisposeAsync();
        Assert.True(Samples > 10, $"the checkpoint monitor took only {Samples} samples");
        Assert.True(Regressions.IsEmpty, "checkpoints went backwards: " + string.Join("; ", Regressions));
    }

    private async Task RunAsync(CheckpointStore store, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var table in tables) await SampleAsync(store, table, cancellationToken);
                Interlocked.Increment(ref _samples);
                await Task.Delay(150, cancellationToken);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task SampleAsync(CheckpointStore store, string table, CancellationToken cancellationToken)
    {
        if (await store.GetTableAsync(table, cancellationToken) is { } checkpoint)
        {
            foreach (var segment in checkpoint.FullSync.Segments.Values)
            {
                var id = $"{table}/{checkpoint.Generation}/{segment.Segment}";
                var now = (segment.ItemsWritten, segment.Pages, segment.Status == SegmentStatus.Done);
                if (_segments.TryGetValue(id, out var before) && (now.ItemsWritten < before.Items || now.Pages < before.Pages || before.Done && !now.Item3))
                    Regressions.Enqueue($"segment {id}: {before} → {now}");
                _segments[id] = now;
            }
        }
        foreach (var shard in await store.ListShardsAsync(table, cancellationToken))
        {
            var id = $"{table}/{shard.ShardId}";
            var now = (shard.SequenceNumber, shard.Status is ShardStatus.Done or ShardStatus.Skipped);
            if (_shards.TryGetValue(id, out var before)
                && (before.Position is { } p && (now.SequenceNumber is not { } q || q < p) || before.Finished && !now.Item2))
                Regressions.Enqueue($"shard {id}: {before} → {now}");
            _shards[id] = now;
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
