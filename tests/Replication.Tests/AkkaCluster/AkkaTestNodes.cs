using Akka.Actor;
using Replication.AkkaCluster;
using Replication.Configuration;
using Replication.Testing;
using Replication.Testing.InMemoryMongo.Wire;
using AkkaConfig = Akka.Configuration.Config;

namespace Replication.Tests.AkkaCluster;

/// <summary>
/// Real Akka.NET nodes on 127.0.0.1, each configured the way the product will configure them — a HOCON file read by our
/// reader, the replication.cluster keys, an akka block — through <see cref="AkkaConfigFactory"/>, with the MongoDB lease
/// on an in-memory MongoDB server. Nodes 1 and 2 are the seed nodes; failure detection and gossip are fast so a test
/// takes seconds.
/// </summary>
internal sealed class AkkaTestNodes : IAsyncDisposable
{
    private const string FastAkka = """
        akka {
          loglevel = WARNING
          cluster {
            seed-node-timeout = 1s
            retry-unsuccessful-join-after = 500ms
            gossip-interval = 200ms
            leader-actions-interval = 200ms
            unreachable-nodes-reaper-interval = 200ms
            periodic-tasks-initial-delay = 200ms
            failure-detector {
              heartbeat-interval = 200ms
              acceptable-heartbeat-pause = 1s
              expected-response-after = 200ms
            }
            singleton {
              hand-over-retry-interval = 200ms
              lease-retry-interval = 200ms
            }
            sharding {
              lease-retry-interval = 200ms
              rebalance-interval = 500ms
              retry-interval = 200ms
              handoff-timeout = 10s
            }
          }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("replication-akka-nodes-").FullName;
    private readonly List<ActorSystem> _started = [];
    private readonly int[] _ports;

    public AkkaTestNodes(int count, bool freePorts = true) =>
        _ports = Enumerable.Range(0, count).Select(_ => freePorts ? ChildProcesses.FreePort() : 0).ToArray();

    public InMemoryMongoServer Mongo { get; } = new();

    public int Port(int node) => _ports[node];

    /// <summary>The Akka configuration of one node; <paramref name="extra"/> is more HOCON for that node's file.</summary>
    public AkkaConfig ConfigFor(int node, string extra = "")
    {
        var seeds = _ports.Length > 2 ? $"\"127.0.0.1:{_ports[1]}\", \"127.0.0.1:{_ports[2]}\"" : "";
        var path = Path.Combine(_directory, $"node-{node}.conf");
        File.WriteAllText(path, $$"""
            replication {
              target.mongodb.uri = "{{Mongo.ConnectionString}}"
              checkpoint.database = "akka_smoke_checkpoint"
              cluster {
                hostname = "127.0.0.1"
                port = {{_ports[node]}}
                seed-nodes = [{{seeds}}]
                split-brain-resolver.stable-after = 2s
                # Leases are handed back on a graceful leave, so a long duration costs these tests nothing and keeps a
                # renewal that a loaded machine delays for seconds from losing a lease mid-test.
                lease-duration = 10s
                lease-renew-interval = 1s
              }
            }
            {{FastAkka}}
            {{extra}}
            """);
        var loaded = ReplicationConfiguration.Load(path, environment: new Dictionary<string, string>());
        if (loaded.Warnings.Count > 0) throw new InvalidOperationException("test configuration has unknown keys: " + string.Join("; ", loaded.Warnings));
        return AkkaConfigFactory.Create(loaded.Config);
    }

    public ActorSystem Start(int node, string extra = "")
    {
        var system = ActorSystem.Create(AkkaClusterSettings.ActorSystemName, ConfigFor(node, extra));
        lock (_started) _started.Add(system);
        return system;
    }

    /// <summary>Terminates every node started here (not a TestKit's own system); leases are released while MongoDB still runs.</summary>
    public async Task StopNodesAsync()
    {
        List<ActorSystem> started;
        lock (_started) started = [.. _started];
        await Task.WhenAll(started.Select(s => s.Terminate())).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await StopNodesAsync();
        await Mongo.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
