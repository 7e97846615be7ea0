using Replication.Testing.Demo;

namespace Replication.Tests.Demo;

public sealed class DemoOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_demo_and_options_override_them()
    {
        var defaults = DemoOptions.Parse([]);
        Assert.Equal(3000, defaults.Items);
        Assert.EndsWith(Path.Combine("hocon", "demo.conf"), defaults.ConfigFile);
        Assert.EndsWith(Path.Combine("src", "Coordinator", "bin"), Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(defaults.ReplicationExecutable))));

        var set = DemoOptions.Parse(["--items", "50", "--churn-seconds", "0", "--replication", "/opt/replication"]);
        Assert.Equal(50, set.Items);
        Assert.Equal(TimeSpan.Zero, set.ChurnDuration);
        Assert.Equal("/opt/replication", set.ReplicationExecutable);
    }

    [Theory]
    [InlineData("--items", "0", "--items must be a whole number ≥ 1")]
    [InlineData("--items", "many", "not 'many'")]
    [InlineData("--colour", "blue", "unknown option '--colour'")]
    public void A_bad_option_is_named(string name, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => DemoOptions.Parse([name, value]));
        Assert.Contains(message, error.Message);
    }
}
