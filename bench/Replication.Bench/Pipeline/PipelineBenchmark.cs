using System.Diagnostics;
using System.Runtime.InteropServices;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Coordinator.Hosting;
using Replication.Dynamo.Http;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Testing.DynamoLocal;

namespace Replication.Bench.Pipeline;

/// <summary>
/// One run of the real product in-process against a freshly started DynamoDB Local and the in-memory MongoDB server
/// (its own process): load, plain Scan, full sync, steady incremental load, backlog catch-up, plain GetRecords.
/// With `--source synthetic` the source is the synthetic endpoint (its own process) and the run is the full sync alone.
/// The table is loaded before its stream exists (DynamoDB Local slows down as stream records pile up); the node enables it.
/// </summary>
public sealed class PipelineBenchmark(PipelineOptions options, TextWriter log)
{
    private const int SteadyFirstIndex = 10_000_000;
    private const int BacklogFirstIndex = 20_000_000;

    private readonly DynamoItemGenerator _generator = new("pk");
    private readonly Stopwatch _runClock = Stopwatch.StartNew();

    public async Task<PipelineResults> RunAsync()
    {
        var results = new PipelineResults
        {
            Settings = options,
            Cores = Environment.ProcessorCount,
            Runtime = RuntimeInformation.FrameworkDescription,
            Os = RuntimeInformation.OSDescription,
            StartedAt = DateTimeOffset.UtcNow,
        };
        await using var mongod = await MongodProcess.StartAsync();
        await using var dynamo = options.Synthetic ? null : await DynamoDbLocal.StartAsync();
        await using var synthetic = options.Synthetic ? await SyntheticDynamoProcess.StartAsync(options.Items, options.PayloadBytes) : null;
        Say(synthetic is null
            ? "started DynamoDB Local and the in-memory MongoDB server"
            : $"started the in-memory MongoDB server and the synthetic DynamoDB endpoint ({options.Items:N0} generated items, nothing to load)");
        var sourceProcess = synthetic?.ProcessId ?? ProcessCpu.FindChild(Environment.ProcessId, "java");
        using var client = dynamo?.CreateClient() ?? SyntheticClient(synthetic!);
        string table;
        if (dynamo is null)
        {
            table = SyntheticDynamoProcess.Table;
        }
        else
        {
            table = await DynamoTestTables.CreateAsync(client, "bench");
            Say($"loading {options.Items:N0} items into {table}");
            var load = Stopwatch.StartNew();
            await _generator.PutItemsAsync(client, table, options.Items, parallelism: options.LoadParallelism, payloadBytes: options.PayloadBytes);
            results = results with { LoadItemsPerSecond = options.Items / load.Elapsed.TotalSeconds };
            Say($"loaded at {results.LoadItemsPerSecond:N0} items/s");
        }
        results = results with { AverageItemBytes = await AverageItemBytesAsync(client, table) };

        var settings = Settings(dynamo?.ServiceUrl ?? synthetic!.ServiceUrl, mongod, table);
        using var transport = new DynamoHttpTransport(ReplicationNode.DynamoOptions(settings.Source.DynamoDb));
        if (options.PlainScan)
        {
            // The first pass warms DynamoDB Local's JVM up for Scan (the load only warmed writes); the faster pass is the limit.
            Say("plain parallel Scan, twice");
            var (scanned, firstPass) = await PlainScan.RunAsync(transport, table, options.Segments, options.PageSize);
            var account = Cpu(sourceProcess, mongod);
            var (_, secondPass) = await PlainScan.RunAsync(transport, table, options.Segments, options.PageSize);
            var scanTime = firstPass < secondPass ? firstPass : secondPass;
            results = results with { PlainScanItems = scanned, PlainScanItemsPerSecond = scanned / scanTime.TotalSeconds, PlainScanCpu = account.Stop() };
            Say($"plain Scan, second pass: {results.PlainScanCpu}");
            Say($"plain Scan: {scanned:N0} items in {firstPass.TotalSeconds:F1} s, then {secondPass.TotalSeconds:F1} s: {results.PlainScanItemsPerSecond:N0} items/s");
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        using var target = MongoClientFactory.Create(mongod.ConnectionString);

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
        long PeakSoFar() => (peakResettable ? ProcessMemory.PeakBytes(pid) : null) ?? sampledPeak;
        var wall = Stopwatch.StartNew();
        var fullSyncCpu = Cpu(sourceProcess, mongod);
        var node = await ReplicationNode.StartAsync(settings, loggers);
        TableCheckpoint synced;
        try
        {
            synced = await WaitForFullSyncAsync(node, table, PeakSoFar);
        }
        catch
        {
            Say($"full sync failed; the node's peak RSS until then: {PeakSoFar() / 1048576.0:N0} MB");
            await node.DisposeAsync();
            throw;
        }
        var wallTime = wall.Elapsed;
        results = results with { FullSyncCpu = fullSyncCpu.Stop() };
        Say($"full sync: {results.FullSyncCpu}");
        await sampling.CancelAsync();
        await sampler;
        var peak = peakResettable ? ProcessMemory.PeakBytes(pid) : sampledPeak;
        var copyTime = synced.FullSync.FinishedAt!.Value - synced.FullSync.StartedAt!.Value;
        results = results with
        {
            FullSyncItems = synced.FullSync.ItemsWritten,
            FullSyncItemsPerSecond = synced.FullSync.ItemsWritten / copyTime.TotalSeconds,
            FullSyncWallItemsPerSecond = synced.FullSync.ItemsWritten / wallTime.TotalSeconds,
            FullSyncPeakRssMegabytes = peak / 1048576.0,
            PeakRssSource = peakResettable ? "VmHWM" : "VmRSS sampled every 100 ms",
        };
        Say($"full sync: {synced.FullSync.ItemsWritten:N0} items in {copyTime.TotalSeconds:F1} s ({wallTime.TotalSeconds:F1} s with the node's start), " +
            $"peak RSS {results.FullSyncPeakRssMegabytes:N0} MB");

        var collection = MongoCollections.Raw(target.GetDatabase(settings.Target.Database), synced.Collection);
        try
        {
            if (options.DurationSeconds > 0 && options.Rate > 0 && settings.Mode != SyncMode.Full)
                results = results with { Steady = await SteadyLoadAsync(client, table, collection) };
        }
        finally
        {
            await node.DisposeAsync();
        }
        if (options.Backlog > 0 && settings.Mode != SyncMode.Full)
            results = results with { CatchUp = await CatchUpAsync(client, table, collection, settings, loggers, transport, synced.StreamArn!) };
        Say("done");
        return results;
    }

    private ReplicationSettings Settings(Uri dynamoEndpoint, MongodProcess mongod, string table)
    {
        string[] overrides =
        [
            "replication.id=bench",
            options.Synthetic || (options.Backlog == 0 && options.DurationSeconds == 0) ? "replication.mode=full" : "replication.mode=all",
            $"replication.source.dynamodb.endpoint=\"{dynamoEndpoint}\"",
            $"replication.source.dynamodb.credentials.access-key-id={DynamoDbLocal.AccessKey}",
            $"replication.source.dynamodb.credentials.secret-access-key={DynamoDbLocal.SecretKey}",
            $"replication.target.mongodb.uri=\"{mongod.ConnectionString}\"",
            $"replication.filter.include=[\"{table}\"]",
            $"replication.full-sync.segments={options.Segments}",
            $"replication.full-sync.page-size={options.PageSize}",
            "replication.management.http.enabled=off",
        ];
        return ReplicationConfiguration.Load(null, overrides, new Dictionary<string, string>()).Settings;
    }

    private static async Task<double?> AverageItemBytesAsync(IAmazonDynamoDB client, string table)
    {
        var description = (await client.DescribeTableAsync(table)).Table;
        return description.ItemCount is > 0 && description.TableSizeBytes is > 0 ? (double)description.TableSizeBytes / description.ItemCount : null;
    }

    private TimeSpan PhaseTimeout => TimeSpan.FromMinutes(options.PhaseTimeoutMinutes);

    /// <summary>Polls the checkpoint until the full sync is done, saying once a minute how far it got and the node's peak RSS.</summary>
    private async Task<TableCheckpoint> WaitForFullSyncAsync(ReplicationNode node, string table, Func<long> peakBytes)
    {
        var deadline = Stopwatch.StartNew();
        var nextReport = TimeSpan.FromMinutes(1);
        while (deadline.Elapsed < PhaseTimeout)
        {
            // In mode `full` the node ends right after the sync: read the checkpoint before deciding it stopped early.
            var stopped = node.Completion.IsCompleted;
            var checkpoint = await node.Services.Checkpoints.GetTableAsync(table);
            if (checkpoint?.FullSync.Status == FullSyncStatus.Done) return checkpoint;
            if (stopped) throw new InvalidOperationException($"the node stopped during the full sync of {table}: {await node.Completion}");
            if (deadline.Elapsed > nextReport)
            {
                Say($"full sync: {checkpoint?.FullSync.ItemsWritten ?? 0:N0} items written so far, node peak RSS {peakBytes() / 1048576.0:N0} MB");
                nextReport += TimeSpan.FromMinutes(1);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the full sync of {table} did not finish within {PhaseTimeout.TotalMinutes} minutes (--phase-timeout)");
    }

    /// <summary>One write that reaches the target proves the incremental sync is running before the load is timed.</summary>
    private async Task WaitForIncrementalAsync(IAmazonDynamoDB client, string table, TargetArrivals arrivals)
    {
        const int probe = SteadyFirstIndex - 1;
        await client.PutItemAsync(new PutItemRequest(table, _generator.Item(probe, options.PayloadBytes)));
        if (!await arrivals.WaitForAsync([DynamoItemGenerator.KeyOf(probe)], TimeSpan.FromMinutes(3)))
            throw new TimeoutException($"a probe write to {table} did not reach the target within 3 minutes: the incremental sync is not running");
    }

    private async Task<SteadyLoadResults> SteadyLoadAsync(IAmazonDynamoDB client, string table, IMongoCollection<RawBsonDocument> collection)
    {
        await using var arrivals = await TargetArrivals.StartAsync(collection);
        await WaitForIncrementalAsync(client, table, arrivals);
        Say($"steady load: {options.Rate}/s for {options.DurationSeconds} s");
        var load = new SteadyWriteLoad(client, table, _generator, SteadyFirstIndex, options.PayloadBytes);
        var writing = await load.RunAsync(options.Rate, TimeSpan.FromSeconds(options.DurationSeconds));
        var keys = load.Acknowledged.Keys.ToList();
        if (!await arrivals.WaitForAsync(keys, TimeSpan.FromMinutes(3)))
            Say($"only {keys.Count(k => arrivals.TryGet(k, out _)):N0} of {keys.Count:N0} steady writes reached the target in 3 minutes");
        var lags = new List<double>(keys.Count);
        long firstAck = long.MaxValue, lastArrival = 0;
        foreach (var (key, ack) in load.Acknowledged)
        {
            firstAck = Math.Min(firstAck, ack);
            if (!arrivals.TryGet(key, out var arrived)) continue;
            lastArrival = Math.Max(lastArrival, arrived);
            lags.Add(Math.Max(0, Stopwatch.GetElapsedTime(ack, arrived).TotalMilliseconds));
        }
        lags.Sort();
        var applied = lags.Count / Stopwatch.GetElapsedTime(firstAck, lastArrival).TotalSeconds;
        var result = new SteadyLoadResults(options.Rate, keys.Count / writing.TotalSeconds, keys.Count, load.Late, applied,
            Percentile(lags, 0.50), Percentile(lags, 0.95), Percentile(lags, 0.99), lags.Count == 0 ? 0 : lags[^1]);
        Say($"steady: {result.WriteRate:N0} writes/s, applied {applied:N0}/s, lag p50 {result.LagP50Ms:N0} ms p99 {result.LagP99Ms:N0} ms");
        return result;
    }

    private async Task<CatchUpResults> CatchUpAsync(IAmazonDynamoDB client, string table, IMongoCollection<RawBsonDocument> collection, ReplicationSettings settings,
                                                     ILoggerFactory loggers, DynamoHttpTransport transport, string streamArn)
    {
        Say($"catch-up: writing a backlog of {options.Backlog:N0} records with the node stopped");
        await _generator.PutItemsAsync(client, table, options.Backlog, BacklogFirstIndex, options.LoadParallelism, options.PayloadBytes);
        var keys = Enumerable.Range(BacklogFirstIndex, options.Backlog).Select(DynamoItemGenerator.KeyOf).ToList();
        double applied, appliedWithStart;
        await using (var arrivals = await TargetArrivals.StartAsync(collection))
        {
            var start = Stopwatch.GetTimestamp();
            await using (var node = await ReplicationNode.StartAsync(settings, loggers))
            {
                if (!await arrivals.WaitForAsync(keys, PhaseTimeout))
                    throw new TimeoutException($"the backlog of {options.Backlog:N0} records was not applied within {PhaseTimeout.TotalMinutes} minutes");
            }
            var times = keys.Select(k => arrivals.TryGet(k, out var t) ? t : 0).Order().ToList();
            // Records land a bulk write at a time: the rate between the 10th and 90th percentile arrivals is the steady
            // throughput, free of the first batch's jump and the node's start-up.
            var (p10, p90) = (times[(int)(0.1 * (times.Count - 1))], times[(int)(0.9 * (times.Count - 1))]);
            applied = 0.8 * keys.Count / Math.Max(1e-3, Stopwatch.GetElapsedTime(p10, p90).TotalSeconds);
            appliedWithStart = keys.Count / Stopwatch.GetElapsedTime(start, times[^1]).TotalSeconds;
        }
        Say($"catch-up: applied {applied:N0} records/s ({appliedWithStart:N0}/s with the node's start); plain GetRecords of the same shards");
        var (records, elapsed) = await PlainStreamRead.RunAsync(transport, streamArn, settings.Incremental.RecordsLimit, settings.Incremental.MinPollInterval);
        var (_, unthrottled) = await PlainStreamRead.RunAsync(transport, streamArn, settings.Incremental.RecordsLimit, TimeSpan.Zero);
        var result = new CatchUpResults(options.Backlog, applied, appliedWithStart, records, records / elapsed.TotalSeconds, records / unthrottled.TotalSeconds);
        Say($"plain GetRecords: {records:N0} records at {result.PlainGetRecordsPerSecond:N0}/s ({result.PlainGetRecordsUnthrottledPerSecond:N0}/s unthrottled)");
        return result;
    }

    /// <summary>The source is DynamoDB Local's JVM (a child of this process, started by <see cref="DynamoDbLocal"/>) or the synthetic endpoint.</summary>
    private static CpuAccount Cpu(int? source, MongodProcess mongod) => new(source, Environment.ProcessId, mongod.ProcessId);

    /// <summary>The SDK client for the synthetic endpoint (any keys: it ignores signatures).</summary>
    private static AmazonDynamoDBClient SyntheticClient(SyntheticDynamoProcess synthetic) =>
        new(new BasicAWSCredentials(DynamoDbLocal.AccessKey, DynamoDbLocal.SecretKey),
            new AmazonDynamoDBConfig { ServiceURL = synthetic.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1" });

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private void Say(string message) => log.WriteLine($"[{_runClock.Elapsed:mm\\:ss}] {message}");
}
