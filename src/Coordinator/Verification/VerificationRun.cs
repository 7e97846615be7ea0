using System.Threading.RateLimiting;
using Replication.Configuration;

namespace Replication.Coordinator.Verification;

/// <summary>
/// Verifies each planned table or collection in turn, under one documents-per-second budget shared by every worker and
/// one limit on the differences listed, and reports progress to whoever watches (the terminal's progress line).
/// </summary>
internal sealed class VerificationRun(VerifySettings settings)
{
    private readonly DifferenceBudget _budget = new(settings.MaxDifferences);

    /// <summary>The table or collection being compared now, or null between them.</summary>
    public NamespaceReport? Current { get; private set; }

    public async Task<IReadOnlyList<NamespaceReport>> RunAsync(IReadOnlyList<NamespacePlan> plans, Action<NamespaceReport> finished, CancellationToken cancellationToken)
    {
        using var limiter = settings.RateLimit > 0
            ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.RateLimit,
                TokensPerPeriod = Math.Max(1, settings.RateLimit / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            })
            : null;
        var verifier = new NamespaceVerifier(settings, limiter, _budget);
        foreach (var plan in plans)
        {
            Current = plan.Report;
            await verifier.RunAsync(plan, cancellationToken).ConfigureAwait(false);
            Current = null;
            finished(plan.Report);
        }
        return plans.Select(p => p.Report).ToList();
    }
}
