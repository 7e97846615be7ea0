using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Replication.Testing.InMemoryMongo.Engine.Cursors;

/// <summary>Open cursors by id. Ids are random positive 63-bit numbers, as MongoDB's are, so they are never guessed or reused.</summary>
public sealed class CursorRegistry
{
    private readonly ConcurrentDictionary<long, ServerCursor> _cursors = new();

    public int Count => _cursors.Count;

    public long Register(ServerCursor cursor)
    {
        while (true)
        {
            var id = RandomNumberGenerator.GetInt32(1, int.MaxValue) * 0x1_0000_0000L + RandomNumberGenerator.GetInt32(0, int.MaxValue);
            cursor.Id = id;
            if (_cursors.TryAdd(id, cursor)) return id;
        }
    }

    public bool TryGet(long id, out ServerCursor cursor) => _cursors.TryGetValue(id, out cursor!);

    public bool Remove(long id) => _cursors.TryRemove(id, out _);
}
