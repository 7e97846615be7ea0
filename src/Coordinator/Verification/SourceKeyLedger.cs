using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Replication.Coordinator.Verification;

/// <summary>
/// Every key the source holds, as a 128-bit hash, so the target's keys can be checked against it to find documents
/// the source lacks. Up to <c>keysInMemory</c> hashes stay in a set; past that they all go to a temporary file, and
/// the check runs in rounds, each loading only the hashes of one partition (hash mod rounds), so memory stays bounded
/// whatever the table size. Thread-safe for adding.
/// </summary>
internal sealed class SourceKeyLedger(int keysInMemory) : IDisposable
{
    private readonly object _gate = new();
    private HashSet<UInt128>? _memory = [];
    private FileStream? _spill;
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>How many passes over the target's keys the check needs: one while every hash fits in memory.</summary>
    public int Rounds => _spill is null ? 1 : (int)Math.Max(1, (Count + keysInMemory - 1) / keysInMemory);

    public static UInt128 Hash(ReadOnlySpan<byte> key)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key, digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    public void Add(IEnumerable<byte[]> keys)
    {
        var hashes = keys.Select(k => Hash(k)).ToList();
        lock (_gate)
        {
            if (_memory is not null && _memory.Count + hashes.Count > keysInMemory) SpillMemory();
            if (_memory is not null)
            {
                foreach (var h in hashes) _memory.Add(h);
            }
            else
            {
                Span<byte> bytes = stackalloc byte[16];
                foreach (var h in hashes)
                {
                    BinaryPrimitives.WriteUInt128LittleEndian(bytes, h);
                    _spill!.Write(bytes);
                }
            }
            _count += hashes.Count;
        }
    }

    /// <summary>The hashes of one round; <see cref="InRound"/> says which target keys that round decides.</summary>
    public IReadOnlySet<UInt128> Load(int round)
    {
        lock (_gate)
        {
            if (_memory is not null) return _memory;
            _spill!.Flush();
            var rounds = (UInt128)Rounds;
            var set = new HashSet<UInt128>();
            using var reader = new FileStream(_spill.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            Span<byte> bytes = stackalloc byte[16];
            while (reader.ReadAtLeast(bytes, 16, throwOnEndOfStream: false) == 16)
            {
                var h = BinaryPrimitives.ReadUInt128LittleEndian(bytes);
                if (h % rounds == (UInt128)round) set.Add(h);
            }
            return set;
        }
    }

    public bool InRound(UInt128 hash, int round) => Rounds == 1 || hash % (UInt128)Rounds == (UInt128)round;

    private void SpillMemory()
    {
        var path = Path.Combine(Path.GetTempPath(), $"replication-verify-{Environment.ProcessId}-{Guid.NewGuid():N}.keys");
        _spill = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.DeleteOnClose);
        Span<byte> bytes = stackalloc byte[16];
        foreach (var h in _memory!)
        {
            BinaryPrimitives.WriteUInt128LittleEndian(bytes, h);
            _spill.Write(bytes);
        }
        _memory = null;
    }

    public void Dispose() => _spill?.Dispose();
}
