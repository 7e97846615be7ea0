using Replication.Coordinator.Cli;
using Replication.ShardActors.Tables;

namespace Replication.Tests.Cli;

public class ProgressTrackerTests
{
    [Fact]
    public void Rate_and_eta_come_from_the_items_written_since_the_table_was_first_seen()
    {
        var clock = new ManualClock();
        var tracker = new ProgressTracker(clock);
        tracker.Record(new TableProgress("Orders", "full-sync", 1_000, 0, 0, 4, EstimatedItems: 101_000));
        clock.Now += TimeSpan.FromSeconds(10);
        tracker.Record(new TableProgress("Orders", "full-sync", 11_000, 3, 1, 4, EstimatedItems: 101_000));

        var view = Assert.Single(tracker.Snapshot());
        Assert.Equal(1_000, view.ItemsPerSecond, precision: 6);
        Assert.Equal(TimeSpan.FromSeconds(90), view.Eta);
        Assert.Equal(3, view.DeadLettered);
        Assert.Equal(1, view.SegmentsDone);
    }

    [Fact]
    public void No_eta_without_an_estimate_or_once_the_copy_is_over()
    {
        var clock = new ManualClock();
        var tracker = new ProgressTracker(clock);
        tracker.Record(new TableProgress("A", "full-sync", 0, 0, 0, 4, EstimatedItems: null));
        tracker.Record(new TableProgress("B", "full-sync", 0, 0, 0, 4, EstimatedItems: 50));
        clock.Now += TimeSpan.FromSeconds(5);
        tracker.Record(new TableProgress("A", "full-sync", 100, 0, 2, 4, EstimatedItems: null));
        tracker.Record(new TableProgress("B", "incremental", 50, 0, 4, 4, EstimatedItems: 50));

        Assert.All(tracker.Snapshot(), v => Assert.Null(v.Eta));
        Assert.Equal(["A", "B"], tracker.Snapshot().Select(v => v.Table));
    }
}
