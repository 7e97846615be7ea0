using System.Collections.Concurrent;

namespace Replication.Mongo;

/// <summary>
/// Dedicated threads for libmongoc's blocking calls. Running them on the .NET thread pool would park pool threads
/// for whole network round trips (and for a change stream's maxAwaitTimeMS), starving actors and timers; here
/// they block threads of their own. Threads start on demand up to a fixed maximum and stay for the client's life.
/// </summary>
internal sealed class BlockingCallWorkers : IDisposable
{
    private readonly BlockingCollection<WorkItem> _queue = new();
    private readonly int _maxThreads;
    private readonly string _name;
    private readonly Lock _growLock = new();
    private int _threads;
    private int _idle;

    public BlockingCallWorkers(int maxThreads, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        _maxThreads = maxThreads;
        _name = name;
    }

    public int ThreadCount => Volatile.Read(ref _threads);

    public int MaxThreads => _maxThreads;

    /// <summary>
    /// Queues <paramref name="call"/>. Cancellation only prevents a call that has not started: a native call in
    /// flight cannot be interrupted. Continuations never run on the worker thread.
    /// </summary>
    public Task<T> Run<T>(Func<T> call, CancellationToken cancellationToken = default)
    {
        var item = new WorkItem<T>(call, cancellationToken);
        try
        {
            _queue.Add(item);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(_name, "The MongoClient was disposed; its worker threads accept no more calls.");
        }
        Grow();
        return item.Task;
    }

    private void Grow()
    {
        if (Volatile.Read(ref _idle) >= _queue.Count || Volatile.Read(ref _threads) >= _maxThreads) return;
        lock (_growLock)
        {
            if (_threads >= _maxThreads) return;
            _threads++;
            var thread = new Thread(Work) { IsBackground = true, Name = $"{_name} #{_threads}" };
            thread.Start();
        }
    }

    private void Work()
    {
        while (true)
        {
            Interlocked.Increment(ref _idle);
            WorkItem? item;
            try
            {
                if (!_queue.TryTake(out item, Timeout.Infinite)) return;
            }
            catch (InvalidOperationException)
            {
                return; // completed while waiting
            }
            finally
            {
                Interlocked.Decrement(ref _idle);
            }
            item.Execute();
        }
    }

    public void Dispose() => _queue.CompleteAdding();

    private abstract class WorkItem
    {
        public abstract void Execute();
    }

    private sealed class WorkItem<T>(Func<T> call, CancellationToken cancellationToken) : WorkItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public override void Execute()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(cancellationToken);
                return;
            }
            try
            {
                _completion.TrySetResult(call());
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }
    }
}
