using Replication.Testing.Demo;

namespace Replication.Tests.Demo;

/// <summary>`demo --mongo` as a user runs it (small): the real executable between two in-memory servers, ending with target = source.</summary>
public sealed class MongoDemoTests
{
    [Fact]
    public async Task Mongo_demo_ends_with_the_target_equal_to_the_source()
    {
        var options = DemoOptions.Parse(["--items", "600", "--orders", "50", "--churn-seconds", "2", "--timeout-seconds", "120"]);
        var exitCode = await new MongoDemoRun(options).RunAsync(CancellationToken.None);
        Assert.Equal(0, exitCode);
    }
}
