using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Bench.Pipeline;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.MongoAccess;
using Replication.ShardActors.MongoSource;
using Replication.Testing.Comparison;

namespace Replication.Bench.MongoPipeline;

/// <summary>
/// One MongoDB → MongoDB run of the real product in-process (<see cref="MongoReplicationNode"/>, settings from
/// <see cref="ReplicationConfiguration.Load"/>) between two in-memory MongoDB servers, each its own process: load,
/// plain find and plain driver copy, full sync, then a backlog written with the node stopped, caught up by a new node, against a plain watch
/// from the same resume token; at the end source and target are compared document by document.
/// </summary>
public sealed class MongoPipelineBenchmark(MongoPipelineOptions options, TextWriter log)
{
    private const string Database = "bench";
    private readonly MongoDocumentGenerator _generator = new(options.PayloadBytes);
    private readonly Stopwatch _runClock = Stopwatch.StartNew();

    private TimeSpan PhaseTimeout => TimeSpan.FromMinutes(options.PhaseTimeoutMinutes);
    private IReadOnlyList<string> CollectionNames => Enumerable.Range(0, options.Collections).Select(c => $"c{c}").ToList();

    public async Task<MongoPipelineResults> RunAsync()
    {
        var results = new MongoPipelineResults
        {
            Settings = options,
            Cores = Environment.ProcessorCount,
            Runtime = RuntimeInformation.FrameworkDescription,
            Os = RuntimeInformation.OSDescription,
            StartedAt = DateTimeOffset.UtcNow,
            LoadAverage = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null,
            AverageDocumentBytes = _generator.Document(options.Documents / 2).ToBson().Length,
            Verification = new MongoVerification(false, 0, 0, "not run"),
        };
        await using var sourceServer = await MongodProcess.StartAsync();
        await using var targetServer = await MongodProcess.StartAsync();
        Say($"started two in-memory MongoDB servers (source {sourceServer.ConnectionString}, target {targetServer.ConnectionString}); load average {results.LoadAverage}");
        using var source = MongoClientFactory.Create(sourceServer.ConnectionString);
        using var target = MongoClientFactory.Create(targetServer.ConnectionString);
        var sourceDatabase = source.GetDatabase(Database);
        var collections = CollectionNames.Select(n => sourceDatabase.GetCollection<BsonDocument>(n)).ToList();

        Say($"loading {options.Documents:N0} documents (~{results.AverageDocumentBytes:N0} B of BSON) into {options.Collections} collections");
        var load = Stopwatch.StartNew();
        await LoadAsync(collections);
        results = results with { LoadDocumentsPerSecond = options.Documents / load.Elapsed.TotalSeconds };
        Say($"loaded at {results.LoadDocumentsPerSecond:N0} documents/s");

        var settings = Settings(sourceServer, targetServer);
        var rawCollections = CollectionNames.Select(n => sourceDatabase.GetCollection<RawBsonDocument>(n)).ToList();
        Say("plain find, twice");
        var (found, firstPass) = await PlainFind.RunAsync(rawCollections, settings.MongoSource.BatchSize);
        var account = Cpu(sourceServer, targetServer);
        var (_, secondPass) = await PlainFind.RunAsync(rawCollections, settings.MongoSource.BatchSize);
        results = results with
        {
            PlainFindDocuments = found,
            PlainFindDocumentsPerSecond = found / (firstPass < secondPass ? firstPass : secondPass).TotalSeconds,
            PlainFindCpu = account.Stop(),
        };
        Say($"plain find: {found:N0} documents in {firstPass.TotalSeconds:F1} s, then {secondPass.TotalSeconds:F1} s: {results.PlainFindDocumentsPerSecond:N0} documents/s; " +
            $"second pass {results.PlainFindCpu}");
        if (found != options.Documents) throw new InvalidOperationException($"the plain find read {found:N0} documents, not {options.Documents:N0}");

        Say("plain copy (find + insertMany into a scratch database of the target, dropped afterwards)");
        account = Cpu(sourceServer, targetServer);
        var (copied, copyTime) = await PlainCopy.RunAsync(sourceDatabase, target.GetDatabase(Database + "_plaincopy"), CollectionNames, settings.MongoSource.BatchSize);
        results = results with { PlainCopyDocumentsPerSecond = copied / copyTime.TotalSeconds, PlainCopyCpu = account.Stop() };
        Say($"plain copy: {copied:N0} documents in {copyTime.TotalSeconds:F1} s: {results.PlainCopyDocumentsPerSecond:N0} documents/s; {results.PlainCopyCpu}");

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        results = await FullSyncAsync(results, settings, loggers, sourceServer, targetServer);

        if (options.Backlog > 0)
            results = results with { CatchUp = await CatchUpAsync(settings, loggers, source, target, collections, sourceServer, targetServer) };

        Say("comparing source and target, document by document");
        results = results with { Verification = await VerifyAsync(source, target) };
        Say(results.Verification.Equal
            ? $"target == source: {results.Verification.TargetDocuments:N0} documents, byte for byte"
            : $"TARGET DIFFERS FROM SOURCE: {results.Verification.Difference}");
        Say("done");
        return results;
    }

    private async Task LoadAsync(IReadOnlyList<IMongoCollection<BsonDocument>> collections) =>
        await Task.WhenAll(collections.Select(async (collection, c) =>
        {
            var mine = Enumerable.Range(0, options.Documents).Where(i => i % collections.Count == c);
            foreach (var chunk in mine.Chunk(1000))
                await collection.InsertManyAsync(chunk.Select(_generator.Document), new InsertManyOptions { IsOrdered = false });
        }));

    private ReplicationSettings Settings(MongodProcess sourceServer, MongodProcess targetServer)
    {
        string[] overrides =
        [
            "replication.id=benchmongo",
            "replication.mode=all",
            "replication.source.type=mongodb",
            $"replication.source.mongodb.uri=\"{sourceServer.ConnectionString}\"",
            $"replication.target.mongodb.uri=\"{targetServer.ConnectionString}\"",
            $"replication.filter.include=[\"{Database}\"]",
            "replication.management.http.enabled=off",
        ];
        return ReplicationConfiguration.Load(null, overrides, new Dictionary<string, string>()).Settings;
    }

    /// <summary>
    /// Starts the node, waits until it follows the change stream (the copy done) and stops it gracefully, leaving its
    /// resume token in the checkpoint. Peak RSS and CPU are taken over the copy exactly as the DynamoDB run takes them.
    /// </summary>
    private async Task<MongoPipelineResults> FullSyncAsync(MongoPipelineResults results, ReplicationSettings settings, ILoggerFactory loggers,
                                                           MongodProcess sourceServer, MongodProcess targetServer)
    {
        Say("full sync");
        GC.Collect();
        var pid = Environment.ProcessId;
        var peakResettable = ProcessMemory.TryResetPeak(pid);
        long sampledPeak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                sampledPeak = Math.Max(sampledPeak, ProcessMemory.CurrentBytes(pid) ?? 0);
                try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var wall = Stopwatch.StartNew();
        var cpu = Cpu(sourceServer, targetServer);
        MongoSyncState state;
        await using (var node = await MongoReplicationNode.StartAsync(settings, loggers))
        {
            state = await WaitForIncrementalAsync(node);
            var wallTime = wall.Elapsed;
            results = results with { FullSyncCpu = cpu.Stop() };
            await sampling.CancelAsync();
            await sampler;
            var ranges = await node.Checkpoints.LoadRangesAsync(state.Generation, default);
            var copied = ranges.Sum(r => r.Copied);
            var copyTime = state.CopyFinishedAt!.Value - state.StartedAt;
            results = results with
            {
                FullSyncDocuments = copied,
                FullSyncDocumentsPerSecond = copied / copyTime.TotalSeconds,
                FullSyncWallDocumentsPerSecond = copied / wallTime.TotalSeconds,
                FullSyncPeakRssMegabytes = (peakResettable ? ProcessMemory.PeakBytes(pid) ?? sampledPeak : sampledPeak) / 1048576.0,
                PeakRssSource = peakResettable ? "VmHWM" : "VmRSS sampled every 100 ms",
            };
            Say($"full sync: {copied:N0} documents in {copyTime.TotalSeconds:F1} s ({wallTime.TotalSeconds:F1} s with the node's start), " +
                $"peak RSS {results.FullSyncPeakRssMegabytes:N0} MB; {results.FullSyncCpu}");
            var drained = await node.StopAsync();
            Say($"node stopped gracefully (drained: {drained.Finished})");
        }
        return results;
    }

    /// <summary>Polls the state checkpoint until the copy is done and the node follows the change stream.</summary>
    private async Task<MongoSyncState> WaitForIncrementalAsync(MongoReplicationNode node)
    {
        var deadline = Stopwatch.StartNew();
        var nextReport = TimeSpan.FromMinutes(1);
        while (deadline.Elapsed < PhaseTimeout)
        {
            if (node.Completion.IsCompleted) throw new InvalidOperationException($"the node stopped during the full sync: {await node.Completion}");
            var state = await node.Checkpoints.LoadStateAsync(default);
            if (state is { Phase: MongoSyncPhase.Incremental, CopyFinishedAt: not null }) return state;
            if (deadline.Elapsed > nextReport)
            {
                var copied = state is null ? 0 : (await node.Checkpoints.LoadRangesAsync(state.Generation, default)).Sum(r => r.Copied);
                Say($"full sync: {copied:N0} documents copied so far (phase {state?.Phase})");
                nextReport += TimeSpan.FromMinutes(1);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the full sync did not finish within {PhaseTimeout.TotalMinutes} minutes (--phase-timeout)");
    }

    private async Task<MongoCatchUpResults> CatchUpAsync(ReplicationSettings settings, ILoggerFactory loggers, IMongoClient source, IMongoClient target,
                                                         IReadOnlyList<IMongoCollection<BsonDocument>> collections, MongodProcess sourceServer, MongodProcess targetServer)
    {
        // The stopped node's position: the plain watch starts after the same token the new node resumes from.
        var checkpoints = new MongoSyncCheckpoints(target.GetDatabase(settings.CheckpointDatabase));
        var state = await checkpoints.LoadStateAsync(default) ?? throw new InvalidOperationException("no state checkpoint after the full sync");
        var stream = (await checkpoints.LoadStreamsAsync(state.Generation, default)).Single();
        var resumeToken = stream.ResumeToken;

        var backlog = new MongoBacklog(options.Backlog, options.Documents);
        Say($"catch-up: writing a backlog of {options.Backlog:N0} changes ({backlog.Count(MongoBacklog.Kind.Insert):N0} inserts, " +
            $"{backlog.Count(MongoBacklog.Kind.Update):N0} updates, {backlog.Count(MongoBacklog.Kind.Delete):N0} deletes) with the node stopped");
        await backlog.WriteAsync(collections, _generator);
        var keys = backlog.Keys;
        double applied, appliedWithStart;
        PhaseCpu cpu;
        await using (var arrivals = await TargetArrivals.StartAsync(target.GetDatabase(Database)))
        {
            var start = Stopwatch.GetTimestamp();
            var account = Cpu(sourceServer, targetServer);
            await using (var node = await MongoReplicationNode.StartAsync(settings, loggers))
            {
                if (!await arrivals.WaitForAsync(keys, PhaseTimeout))
                    throw new TimeoutException($"only {keys.Count(k => arrivals.TryGet(k, out _)):N0} of the backlog's {keys.Count:N0} changes reached the target within {PhaseTimeout.TotalMinutes} minutes");
                cpu = account.Stop();
            }
            var times = keys.Select(k => arrivals.TryGet(k, out var t) ? t : 0).Order().ToList();
            // Changes land a bulk write at a time: the rate between the 10th and 90th percentile arrivals is the steady
            // throughput, free of the first batch's jump and the node's start-up.
            var (p10, p90) = (times[(int)(0.1 * (times.Count - 1))], times[(int)(0.9 * (times.Count - 1))]);
            applied = 0.8 * keys.Count / Math.Max(1e-3, Stopwatch.GetElapsedTime(p10, p90).TotalSeconds);
            appliedWithStart = keys.Count / Stopwatch.GetElapsedTime(start, times[^1]).TotalSeconds;
        }
        Say($"catch-up: applied {applied:N0} events/s ({appliedWithStart:N0}/s with the node's start); {cpu}");

        Say("plain watch from the same resume token, twice");
        var batchSize = settings.MongoSource.BatchSize;
        var (events, first) = await PlainWatch.RunAsync(source, resumeToken, keys.Count, batchSize, PhaseTimeout);
        var (_, second) = await PlainWatch.RunAsync(source, resumeToken, keys.Count, batchSize, PhaseTimeout);
        if (events != keys.Count) throw new InvalidOperationException($"the plain watch read {events:N0} events after the node's resume token, not {keys.Count:N0}");
        var plain = events / (first < second ? first : second).TotalSeconds;
        Say($"plain watch: {events:N0} events in {first.TotalSeconds:F2} s, then {second.TotalSeconds:F2} s: {plain:N0} events/s");

        Say("plain watch + apply into a scratch database on the target");
        var scratch = new PlainApply(target.GetDatabase(Database + "_plainapply"));
        var (appliedEvents, applyTime) = await PlainWatch.RunAsync(source, resumeToken, keys.Count, batchSize, PhaseTimeout, scratch.ApplyAsync);
        await scratch.DropAsync();
        var plainApply = appliedEvents / applyTime.TotalSeconds;
        Say($"plain watch + apply: {appliedEvents:N0} events in {applyTime.TotalSeconds:F2} s: {plainApply:N0} events/s");
        return new MongoCatchUpResults(options.Backlog, backlog.Count(MongoBacklog.Kind.Insert), backlog.Count(MongoBacklog.Kind.Update),
            backlog.Count(MongoBacklog.Kind.Delete), applied, appliedWithStart, events, plain, cpu) { PlainApplyEventsPerSecond = plainApply };
    }

    private async Task<MongoVerification> VerifyAsync(IMongoClient source, IMongoClient target)
    {
        var namespaces = CollectionNames.ToDictionary(n => $"{Database}.{n}", n => $"{Database}.{n}");
        var difference = await MongoNamespaceComparison.DifferenceAsync(source, target, namespaces);
        long sourceCount = 0, targetCount = 0;
        foreach (var name in CollectionNames)
        {
            sourceCount += await source.GetDatabase(Database).GetCollection<BsonDocument>(name).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
            targetCount += await target.GetDatabase(Database).GetCollection<BsonDocument>(name).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
        }
        return new MongoVerification(difference is null && sourceCount == targetCount, sourceCount, targetCount, difference);
    }

    /// <summary>The source server, the node (this process) and the target server.</summary>
    private static CpuAccount Cpu(MongodProcess source, MongodProcess target) => new(source.ProcessId, Environment.ProcessId, target.ProcessId);

    private void Say(string message) => log.WriteLine($"[{_runClock.Elapsed:mm\\:ss}] {message}");
}
