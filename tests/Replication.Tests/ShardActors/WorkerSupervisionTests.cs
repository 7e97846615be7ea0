using System.Net;
using Replication.Dynamo.Control;
using Replication.Dynamo.Http;
using Replication.ShardActors;
using Replication.ShardActors.FullSync;
using Replication.ShardActors.Streams;

namespace Replication.Tests.ShardActors;

public sealed class WorkerSupervisionTests
{
    private static DynamoResourceNotFoundException NotFound() => new("GetRecords", HttpStatusCode.BadRequest, "Requested resource not found");

    [Fact]
    public void A_missing_table_is_recognised_however_the_worker_wrapped_it()
    {
        Assert.True(WorkerSupervision.IsTableGone(NotFound()));
        Assert.True(WorkerSupervision.IsTableGone(new SegmentCopyException("t", 2, NotFound())));
        Assert.True(WorkerSupervision.IsTableGone(new ShardProcessingException("t", "shardId-1", NotFound())));
        Assert.True(WorkerSupervision.IsTableGone(new SegmentCopyException("t", 0, new DynamoTableNotFoundException("t", NotFound()))));
    }

    [Fact]
    public void Other_failures_are_not_taken_for_a_missing_table()
    {
        Assert.False(WorkerSupervision.IsTableGone(new SegmentCopyException("t", 2, new IOException("connection reset"))));
        Assert.False(WorkerSupervision.IsTableGone(new InvalidOperationException("x")));
    }

    [Fact]
    public void Workers_escalate_a_missing_table_and_restart_on_anything_else()
    {
        Assert.Equal(Akka.Actor.Directive.Escalate, WorkerSupervision.Decide(new ShardProcessingException("t", "s", NotFound())));
        Assert.Equal(Akka.Actor.Directive.Restart, WorkerSupervision.Decide(new SegmentCopyException("t", 1, new IOException("reset"))));
    }

    [Fact]
    public void The_restart_back_off_doubles_from_one_second_up_to_thirty_and_jitter_only_lengthens_it()
    {
        var backoff = RestartBackoff.Workers;
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.DelayFor(1, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.DelayFor(2, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(16), backoff.DelayFor(5, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.DelayFor(50, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(1.2), backoff.DelayFor(1, random: 1));
    }
}
