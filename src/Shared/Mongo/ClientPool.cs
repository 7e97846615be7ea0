using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>
/// Hands out libmongoc clients to work that runs on the worker threads. A slot is taken (asynchronously) before a
/// client is popped, so <c>mongoc_client_pool_pop</c> never has to wait and workers are never parked on an empty pool.
/// </summary>
internal sealed class ClientPool : IAsyncDisposable
{
    private readonly ClientPoolHandle _pool;
    private readonly SemaphoreSlim _slots;
    private readonly BlockingCallWorkers _workers;

    public ClientPool(ClientPoolHandle pool, int maxClients, BlockingCallWorkers workers)
    {
        _pool = pool;
        _slots = new SemaphoreSlim(maxClients, maxClients);
        _workers = workers;
        MaxClients = maxClients;
    }

    public int MaxClients { get; }

    public BlockingCallWorkers Workers => _workers;

    /// <summary>Runs one blocking operation with a client of its own, on a worker thread.</summary>
    public async Task<T> RunAsync<T>(Func<PooledClientHandle, T> operation, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _workers.Run(() =>
            {
                using var client = _pool.Pop();
                return operation(client);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Holds one client across several operations, as a cursor or change stream must.</summary>
    public async Task<ClientLease> LeaseAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new ClientLease(this);
    }

    public ValueTask DisposeAsync()
    {
        _workers.Dispose();
        _pool.Dispose();
        return ValueTask.CompletedTask;
    }

    internal sealed class ClientLease(ClientPool owner) : IAsyncDisposable
    {
        private PooledClientHandle? _client;
        private int _disposed;

        public Task<T> RunAsync<T>(Func<PooledClientHandle, T> operation, CancellationToken cancellationToken) =>
            owner._workers.Run(() => operation(_client ??= owner._pool.Pop()), cancellationToken);

        /// <summary>Runs <paramref name="release"/> (destroying the cursor) and returns the client on a worker thread.</summary>
        public async ValueTask DisposeAsync(Action release)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            try
            {
                await owner._workers.Run(() =>
                {
                    try { release(); }
                    finally { _client?.Dispose(); }
                    return true;
                }).ConfigureAwait(false);
            }
            finally
            {
                owner._slots.Release();
            }
        }

        public ValueTask DisposeAsync() => DisposeAsync(static () => { });
    }
}
