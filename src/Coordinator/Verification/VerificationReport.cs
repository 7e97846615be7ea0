namespace Replication.Coordinator.Verification;

public enum DifferenceKind { Missing, Extra, Different }

/// <summary>One difference: in the source but not the target (missing), the other way round (extra), or both with other content.</summary>
public sealed record Difference(DifferenceKind Kind, string Key, IReadOnlyList<string> Fields, string? Note = null);

/// <summary>What the verification of one table or collection found; counters are updated by the workers as they go.</summary>
public sealed class NamespaceReport(string source, string target, string sourceEstimate, string targetEstimate)
{
    private readonly List<Difference> _listed = [];
    private long _sourceDocuments, _targetDocuments, _missing, _extra, _different;

    public string Source => source;
    public string Target => target;

    /// <summary>The counts known before the documents are read (metadata, approximate), for the first line of the output.</summary>
    public string SourceEstimate => sourceEstimate;
    public string TargetEstimate => targetEstimate;

    public long SourceDocuments => Interlocked.Read(ref _sourceDocuments);
    public long TargetDocuments => Interlocked.Read(ref _targetDocuments);
    public long Missing => Interlocked.Read(ref _missing);
    public long Extra => Interlocked.Read(ref _extra);
    public long Different => Interlocked.Read(ref _different);
    public long Differences => Missing + Extra + Different;

    public IReadOnlyList<Difference> Listed
    {
        get { lock (_listed) return _listed.OrderBy(d => d.Kind).ThenBy(d => d.Key, StringComparer.Ordinal).ToList(); }
    }

    internal void SourceRead(int documents) => Interlocked.Add(ref _sourceDocuments, documents);
    internal void TargetRead(int documents) => Interlocked.Add(ref _targetDocuments, documents);

    internal void Found(Difference difference, DifferenceBudget budget)
    {
        switch (difference.Kind)
        {
            case DifferenceKind.Missing: Interlocked.Increment(ref _missing); break;
            case DifferenceKind.Extra: Interlocked.Increment(ref _extra); break;
            default: Interlocked.Increment(ref _different); break;
        }
        if (!budget.TryTake()) return;
        lock (_listed) _listed.Add(difference);
    }
}

/// <summary>How many differences may still be listed in this run (<c>--max-differences</c>); the rest are only counted.</summary>
internal sealed class DifferenceBudget(int max)
{
    private long _left = max;

    public bool TryTake() => Interlocked.Decrement(ref _left) >= 0;
}
