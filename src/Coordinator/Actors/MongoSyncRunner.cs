using Akka.Actor;
using Replication.ShardActors.MongoSource;

namespace Replication.Coordinator.Actors;

/// <summary>The singleton's termination message: cancel the run and stop once it has ended.</summary>
public sealed record StopMongoSync
{
    public static readonly StopMongoSync Instance = new();
}

/// <summary>
/// The coordinator of a MongoDB → MongoDB replication, run as the cluster singleton: it runs the sync pipeline while it
/// lives. Asked to stop (the node leaves, or the singleton moves), it cancels the run and stops only once the run has
/// ended — so the singleton's lease is handed on only after the batch in flight was written or cancelled.
/// </summary>
public sealed class MongoSyncRunner : ReceiveActor
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly Func<CancellationToken, Task<MongoSyncEnded>> _run;
    private bool _running;
    private bool _stopping;

    public MongoSyncRunner(Func<CancellationToken, Task<MongoSyncEnded>> run, Action<MongoSyncEnded> ended)
    {
        _run = run;
        Receive<MongoSyncEnded>(result => Ended(() => ended(result)));
        Receive<Status.Failure>(failure => Ended(() => ended(new MongoSyncEnded(false, failure.Cause.GetBaseException().Message))));
        Receive<StopMongoSync>(_ =>
        {
            _stopping = true;
            if (_running) _cancel.Cancel();
            else Context.Stop(Self);
        });
    }

    public static Props Props(Func<CancellationToken, Task<MongoSyncEnded>> run, Action<MongoSyncEnded> ended) =>
        Akka.Actor.Props.Create(() => new MongoSyncRunner(run, ended));

    protected override void PreStart()
    {
        _running = true;
        _run(_cancel.Token).PipeTo(Self);
    }

    protected override void PostStop()
    {
        _cancel.Cancel();
        _cancel.Dispose();
    }

    /// <summary>A run that ends on its own (mode full, or a failure) is reported; one cancelled for a stop lets the actor stop.</summary>
    private void Ended(Action report)
    {
        _running = false;
        if (_stopping) Context.Stop(Self);
        else report();
    }
}
