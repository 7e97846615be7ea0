namespace Replication.Configuration;

/// <summary>
/// The <c>*</c> patterns of <c>filter.include/exclude</c> (DynamoDB table names, MongoDB database and collection names):
/// <c>*</c> matches any run of characters, including none; matching is case-sensitive, as those names are.
/// </summary>
public static class Wildcard
{
    /// <summary>Iterative with one backtrack point, so no pattern is pathological.</summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
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
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
