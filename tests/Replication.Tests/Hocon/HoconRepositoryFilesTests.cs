using Replication.Hocon;

namespace Replication.Tests.Hocon;

/// <summary>The configuration files shipped in the repository parse, and the reference holds the documented defaults.</summary>
public sealed class HoconRepositoryFilesTests
{
    private static string HoconDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Replication.sln"))) return Path.Combine(directory.FullName, "hocon");
        }

        throw new InvalidOperationException($"No Replication.sln above {AppContext.BaseDirectory}");
    }

    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void Reference_conf_holds_the_documented_defaults()
    {
        var config = HoconConfig.Load(new HoconLoadOptions { ReferenceFile = Path.Combine(HoconDirectory(), "reference.conf"), Environment = NoEnvironment });
        Assert.Equal(4, config.GetInt("replication.full-sync.segments"));
        Assert.Equal(8558, config.GetInt("replication.management.http.port"));
        Assert.Equal("typed", config.GetString("replication.convert.mode"));
        Assert.Equal("us-east-1", config.GetString("replication.source.dynamodb.region"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.GetDuration("replication.incremental.min-poll-interval"));
        Assert.True(config.GetBoolean("replication.management.http.enabled"));
        Assert.Equal(["*"], config.GetStringList("replication.filter.include"));
        Assert.Empty(config.GetKeys("replication.transform.rename"));
    }

    [Fact]
    public void Every_conf_file_in_the_repository_parses_over_the_reference_without_unknown_keys()
    {
        var directory = HoconDirectory();
        var reference = Path.Combine(directory, "reference.conf");
        var referenceConfig = HoconConfig.Load(new HoconLoadOptions { ReferenceFile = reference, Environment = NoEnvironment });
        var files = Directory.GetFiles(directory, "*.conf");
        Assert.Contains(files, file => Path.GetFileName(file) == "reference.conf");
        foreach (var file in files)
        {
            var config = HoconConfig.Load(new HoconLoadOptions { ReferenceFile = reference, ApplicationFile = file, Environment = NoEnvironment });
            Assert.True(config.HasPath("replication.id"), file);
            Assert.Empty(HoconConfig.FindUnknownKeys(referenceConfig, config, "replication"));
        }
    }
}
