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
        _include.Any(p => WildcardMatches(p, name)) && !_exclude.Any(p => WildcardMatches(p, name));

    public IEnumerable<string> Apply(IEnumerable<string> names) => names.Where(Includes);

    /// <summary>Glob match with <c>*</c> only; iterative with one backtrack point, so no pathological patterns.</summary>
    public static bool WildcardMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
