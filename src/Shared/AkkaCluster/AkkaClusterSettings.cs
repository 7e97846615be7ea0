using System.Text.RegularExpressions;
using Replication.Configuration;
using Replication.Hocon;

namespace Replication.AkkaCluster;

/// <summary>
/// The Akka.NET keys under <c>replication.cluster</c>: where this node listens, which seed nodes it joins, its roles and
/// the Split Brain Resolver's stable-after, plus the lease timings and the checkpoint database the MongoDB lease uses.
/// </summary>
public sealed partial record AkkaClusterSettings(
    string Hostname,
    int Port,
    string PublicHostname,
    IReadOnlyList<string> SeedNodes,
    IReadOnlyList<string> Roles,
    TimeSpan StableAfter,
    TimeSpan LeaseDuration,
    TimeSpan LeaseRenewInterval,
    string CheckpointUri,
    string CheckpointDatabase)
{
    /// <summary>Every node of every replication uses this actor system name; seed addresses name it.</summary>
    public const string ActorSystemName = "replication";

    private const string Path = "replication.cluster";

    /// <summary>Reads and checks the keys; every problem names its key and file:line, all at once.</summary>
    /// <exception cref="ConfigurationException">a value is missing or invalid</exception>
    public static AkkaClusterSettings From(HoconConfig config)
    {
        var replication = ReplicationSettings.From(config);
        var reader = new Reader(config);
        var settings = new AkkaClusterSettings(
            Hostname: reader.NonEmpty("hostname"),
            Port: reader.Port("port"),
            PublicHostname: reader.Read(c => c.GetString($"{Path}.public-hostname"), ""),
            SeedNodes: reader.SeedNodes("seed-nodes"),
            Roles: reader.Read(c => c.GetStringList($"{Path}.roles"), []),
            StableAfter: reader.Positive("split-brain-resolver.stable-after"),
            LeaseDuration: replication.Cluster.LeaseDuration,
            LeaseRenewInterval: replication.Cluster.LeaseRenewInterval,
            CheckpointUri: replication.CheckpointUri,
            CheckpointDatabase: replication.CheckpointDatabase);
        reader.ThrowIfAnyProblem();
        return settings;
    }

    /// <summary>The address other nodes reach this one at (for seed-nodes and logs).</summary>
    public string Address => $"akka.tcp://{ActorSystemName}@{(PublicHostname.Length > 0 ? PublicHostname : Hostname)}:{Port}";

    private sealed partial class Reader(HoconConfig config)
    {
        private readonly List<string> _problems = [];

        public T Read<T>(Func<HoconConfig, T> read, T fallback)
        {
            try
            {
                return read(config);
            }
            catch (HoconException e)
            {
                _problems.Add(e.Message);
                return fallback;
            }
        }

        public string NonEmpty(string key)
        {
            var value = Read(c => c.GetString($"{Path}.{key}"), "");
            if (value.Length == 0) Problem(key, "is empty: set the address Akka.Remote binds this node to");
            return value;
        }

        public int Port(string key)
        {
            var port = Read(c => c.GetInt($"{Path}.{key}"), 0);
            if (port is < 0 or > 65535) Problem(key, $"is {port}, expected 0..65535");
            return port;
        }

        public TimeSpan Positive(string key)
        {
            var value = Read(c => c.GetDuration($"{Path}.{key}"), TimeSpan.FromSeconds(1));
            if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan) Problem(key, "must be a positive, finite duration");
            return value;
        }

        /// <summary>"host:port" becomes a full address; a full address must name our actor system and protocol.</summary>
        public IReadOnlyList<string> SeedNodes(string key)
        {
            var seeds = new List<string>();
            var items = config.GetValue($"{Path}.{key}") as HoconArray;
            foreach (var (seed, i) in Read(c => c.GetStringList($"{Path}.{key}"), []).Select((s, i) => (s, i)))
            {
                var full = FullAddress().Match(seed);
                var hostAndPort = HostAndPort().Match(seed);
                if (full.Success && full.Groups["system"].Value == ActorSystemName && ValidPort(full.Groups["port"].Value))
                    seeds.Add(seed);
                else if (!full.Success && hostAndPort.Success && ValidPort(hostAndPort.Groups["port"].Value))
                    seeds.Add($"akka.tcp://{ActorSystemName}@{seed}");
                else
                    Problem($"{key}.{i}", $"is \"{seed}\", expected \"host:port\" or \"akka.tcp://{ActorSystemName}@host:port\"", items?.Items[i].Origin);
            }

            return seeds;
        }

        public void ThrowIfAnyProblem()
        {
            if (_problems.Count > 0) throw new ConfigurationException(_problems);
        }

        private static bool ValidPort(string text) => int.TryParse(text, out var port) && port is > 0 and <= 65535;

        private void Problem(string key, string message, HoconOrigin? itemOrigin = null)
        {
            var origin = itemOrigin ?? config.GetValue($"{Path}.{key}")?.Origin;
            _problems.Add(origin is { } o ? $"{Path}.{key} at {o.ToShortString()}: {message}" : $"{Path}.{key}: {message}");
        }

        [GeneratedRegex(@"^akka\.tcp://(?<system>[^@/]+)@(?<host>[^:/]+|\[[0-9a-fA-F:]+\]):(?<port>\d+)/?$")]
        private static partial Regex FullAddress();

        [GeneratedRegex(@"^(?<host>[^:/@]+|\[[0-9a-fA-F:]+\]):(?<port>\d+)$")]
        private static partial Regex HostAndPort();
    }
}
