using Akka.Actor;
using Akka.Coordination;
using Akka.Event;

namespace Replication.AkkaCluster.Lease;

/// <summary>
/// Akka.Coordination's <see cref="Akka.Coordination.Lease"/> kept in the checkpoint database (see <see cref="MongoLeaseStore"/>),
/// for Cluster Sharding's and the Cluster Singleton's <c>use-lease</c>. Taken when free or expired, renewed every
/// heartbeat-interval; expiry is judged on the database's clock, and the holder treats the lease as its own only until
/// heartbeat-timeout after it last <em>sent</em> a successful take or renewal (its own monotonic clock), which is never
/// later than any other node may take it. <see cref="Counter"/> is the fencing token a holder puts on its writes.
/// </summary>
public sealed class MongoLease : Akka.Coordination.Lease
{
    public const string ConfigPath = "akka.coordination.lease.replication-mongodb";

    private readonly MongoLeaseStore _store;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log;
    private readonly CancellationToken _systemStopping;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Holding? _holding;

    /// <summary>How Akka's LeaseProvider creates it: the store comes from the lease's own configuration section.</summary>
    public MongoLease(LeaseSettings settings, ExtendedActorSystem system)
        : this(settings, MongoLeaseStores.Get(system).For(settings.LeaseConfig), Logging.GetLogger(system, typeof(MongoLease)), MongoLeaseStores.Get(system).Stopping) =>
        MongoLeaseStores.Get(system).Register(this);

    public MongoLease(LeaseSettings settings, MongoLeaseStore store, ILoggingAdapter log, CancellationToken systemStopping = default, TimeProvider? clock = null)
        : base(settings)
    {
        _store = store;
        _log = log;
        _systemStopping = systemStopping;
        _clock = clock ?? TimeProvider.System;
        if (settings.TimeoutSettings.HeartbeatInterval >= settings.TimeoutSettings.HeartbeatTimeout)
            throw new ArgumentException($"lease '{settings.LeaseName}': heartbeat-interval must be shorter than heartbeat-timeout, or the lease lapses between renewals");
    }

    private TimeSpan Timeout => Settings.TimeoutSettings.HeartbeatTimeout;

    /// <summary>The fencing token while this owner holds the lease: every write it makes must carry it; null when not held.</summary>
    public long? Counter => Volatile.Read(ref _holding) is { } holding && IsValid(holding) ? holding.Counter : null;

    public override Task<bool> Acquire() => Acquire(_ => { });

    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        await _gate.WaitAsync(_systemStopping).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _holding) is { } current)
            {
                if (IsValid(current)) return true; // reentrant, as the Lease API asks
                Lose(current, new LeaseException($"Lease {Settings.LeaseName} of {Settings.OwnerName} expired: not renewed within {Timeout}"));
            }

            var sentAt = _clock.GetTimestamp();
            var observed = await Timed(token => _store.ObserveAsync(Settings.LeaseName, token), "acquire").ConfigureAwait(false);
            // The same owner name without a holding here is an earlier incarnation of this node: take over at once, with a new counter.
            if (!observed.IsTakeable && observed.Owner != Settings.OwnerName) return false;
            var counter = await Timed(token => _store.TryTakeAsync(observed, Settings.OwnerName, Timeout, token), "acquire").ConfigureAwait(false);
            if (counter is null) return false;

            var holding = new Holding(counter.Value, sentAt + ToTicks(Timeout), leaseLostCallback, CancellationTokenSource.CreateLinkedTokenSource(_systemStopping));
            Volatile.Write(ref _holding, holding);
            _ = HeartbeatAsync(holding);
            _log.Info("Lease {0} acquired by {1} with counter {2}", Settings.LeaseName, Settings.OwnerName, counter.Value);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override bool CheckLease() => Volatile.Read(ref _holding) is { } holding && IsValid(holding);

    public override async Task<bool> Release()
    {
        await _gate.WaitAsync(_systemStopping).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _holding) is not { } holding) return false;
            StopHolding(holding);
            var released = await Timed(token => _store.ReleaseAsync(Settings.LeaseName, Settings.OwnerName, holding.Counter, token), "release").ConfigureAwait(false);
            _log.Info("Lease {0} released by {1} (counter {2}): {3}", Settings.LeaseName, Settings.OwnerName, holding.Counter, released ? "done" : "it had been taken already");
            return released;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Renews until released, taken, or unrenewable for so long that the lease may already be someone else's.</summary>
    private async Task HeartbeatAsync(Holding holding)
    {
        var token = holding.Stop.Token;
        Exception? lastFailure = null;
        try
        {
            while (true)
            {
                // Renew every heartbeat-interval, but wake up at the expiry at the latest, so a lapse is reported at once.
                var untilExpiry = _clock.GetElapsedTime(_clock.GetTimestamp(), Volatile.Read(ref holding.ValidUntil));
                var wait = untilExpiry < Settings.TimeoutSettings.HeartbeatInterval ? TimeSpan.FromTicks(Math.Max(0, untilExpiry.Ticks)) : Settings.TimeoutSettings.HeartbeatInterval;
                await Task.Delay(wait, _clock, token).ConfigureAwait(false);
                if (!IsValid(holding))
                {
                    Lose(holding, new LeaseException($"Lease {Settings.LeaseName} of {Settings.OwnerName} expired: not renewed within {Timeout} ({lastFailure?.Message ?? "no answer"})"));
                    return;
                }

                var sentAt = _clock.GetTimestamp();
                try
                {
                    if (await Timed(t => _store.RenewAsync(Settings.LeaseName, Settings.OwnerName, holding.Counter, t), "renew", token).ConfigureAwait(false))
                    {
                        Volatile.Write(ref holding.ValidUntil, sentAt + ToTicks(Timeout));
                        lastFailure = null;
                        continue;
                    }

                    Lose(holding, new LeaseException($"Lease {Settings.LeaseName} of {Settings.OwnerName} was taken by another owner (counter {holding.Counter} is no longer current)"));
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    lastFailure = e;
                    _log.Warning("Lease {0}: renewal failed, retrying until it would expire: {1}", Settings.LeaseName, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // released, replaced, or the actor system stopped
        }
    }

    private void Lose(Holding holding, LeaseException reason)
    {
        if (Interlocked.CompareExchange(ref _holding, null, holding) != holding) return;
        holding.Stop.Cancel();
        _log.Warning(reason.Message);
        try
        {
            holding.LeaseLost(reason);
        }
        catch (Exception e)
        {
            _log.Error(e, "Lease {0}: the lease-lost callback failed", Settings.LeaseName);
        }
    }

    private void StopHolding(Holding holding)
    {
        Interlocked.CompareExchange(ref _holding, null, holding);
        holding.Stop.Cancel();
    }

    private bool IsValid(Holding holding) => _clock.GetTimestamp() < Volatile.Read(ref holding.ValidUntil);

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);

    /// <summary>Bounds a database call by lease-operation-timeout: an answer that does not come is a LeaseTimeoutException.</summary>
    private async Task<T> Timed<T>(Func<CancellationToken, Task<T>> call, string operation, CancellationToken stop = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop, _systemStopping);
        timeout.CancelAfter(Settings.TimeoutSettings.OperationTimeout);
        try
        {
            return await call(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested && !_systemStopping.IsCancellationRequested)
        {
            throw new LeaseTimeoutException($"Lease {Settings.LeaseName}: {operation} got no answer from the database within {Settings.TimeoutSettings.OperationTimeout}");
        }
    }

    private sealed class Holding(long counter, long validUntil, Action<Exception> leaseLost, CancellationTokenSource stop)
    {
        public long Counter { get; } = counter;
        public long ValidUntil = validUntil;
        public Action<Exception> LeaseLost { get; } = leaseLost;
        public CancellationTokenSource Stop { get; } = stop;
    }
}
