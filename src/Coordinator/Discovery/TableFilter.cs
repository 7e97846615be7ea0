using Replication.Configuration;

namespace Replication.Coordinator.Discovery;

/// <summary>
/// Decides which source tables (or db.collection namespaces) are replicated: a name must match an include
/// pattern and no exclude pattern. <c>*</c> matches any run of characters (including none); matching is
/// case-sensitive because DynamoDB table names are.
/// </summary>
public sealed class TableFilter
{
    private readonly IReadOnlyList<string> _include;
    private readonly IReadOnlyList<string> _exclude;

    public TableFilter(IEnumerable<string> include, IEnumerable<string> exclude)
    {
        _include = include.ToArray();
        _exclude = exclude.ToArray();
    }

    public static TableFilter All { get; } = new(["*"], []);

    public bool Includes(string name) =>
        _include.Any(p => Wildcard.Matches(p, name)) && !_exclude.Any(p => Wildcard.Matches(p, name));

    public IEnumerable<string> Apply(IEnumerable<string> names) => names.Where(Includes);
}
