using System.Collections.Concurrent;
using Replication.Testing;
using Replication.Testing.Demo;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>
/// The real `replication` processes of one test, each named by its node id (the Akka address its leases carry): started
/// from one empty configuration file plus `--set` overrides, with their output written to the test's log and kept per
/// node. While the test waits, any node it still expects to run failing is reported at once, not after the timeout.
/// </summary>
internal sealed class ReplicationProcesses : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _configFile;
    private readonly Dictionary<string, ReplicationProcess> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _lines = new(StringComparer.Ordinal);

    /// <param name="name">Unique per test (the harness's id): names the configuration file.</param>
    /// <param name="ports">How many Akka.Remote ports to reserve, one per node the test may start.</param>
    public ReplicationProcesses(ITestOutputHelper output, string name, int ports)
    {
        _output = output;
        Ports = [.. Enumerable.Range(0, ports).Select(_ => ChildProcesses.FreePort())];
        _configFile = Path.Combine(Path.GetTempPath(), $"{name}.conf");
        File.WriteAllText(_configFile, "replication { }\n");
    }

    public int[] Ports { get; }

    /// <summary>The nodes expected to be running: started and not yet let go.</summary>
    public IReadOnlySet<string> Running => _running;

    /// <summary>Every node started, running or not.</summary>
    public IEnumerable<string> Started => _nodes.Keys;

    public ReplicationProcess this[string node] => _nodes[node];

    public string NodeId(int n) => $"akka.tcp://replication@127.0.0.1:{Ports[n]}";

    /// <summary>Starts node <paramref name="n"/> (on <see cref="Ports"/>[n]) with <paramref name="overrides"/>; returns its node id.</summary>
    public string Start(int n, IEnumerable<string> overrides)
    {
        var node = NodeId(n);
        var lines = _lines.GetOrAdd(node, _ => new ConcurrentQueue<string>());
        var executable = DemoOptions.Parse([]).ReplicationExecutable;
        string[] arguments = ["run", "--config", _configFile, .. overrides.SelectMany(o => new[] { "--set", o })];
        _nodes[node] = ReplicationProcess.Start(executable, arguments, line =>
        {
            lines.Enqueue(line);
            try { _output.WriteLine($"{node} {line}"); }
            catch (InvalidOperationException) { } // the test already finished; its output is closed
        });
        _running.Add(node);
        return node;
    }

    /// <summary>The test is about to kill, freeze or stop <paramref name="node"/>: from now on it may exit.</summary>
    public ReplicationProcess LetGo(string node)
    {
        _running.Remove(node);
        return _nodes[node];
    }

    /// <summary>Whether <paramref name="node"/> has printed a line containing any of <paramref name="phrases"/>.</summary>
    public bool Said(string node, params string[] phrases) =>
        _lines.TryGetValue(node, out var lines) && lines.Any(line => phrases.Any(p => line.Contains(p, StringComparison.Ordinal)));

    public string? FirstLine(string node, string containing) =>
        _lines.TryGetValue(node, out var lines) ? lines.FirstOrDefault(l => l.Contains(containing, StringComparison.Ordinal)) : null;

    /// <summary>Polls <paramref name="probe"/> until it finds something; fails with <paramref name="failure"/> after <paramref name="patience"/>, or at once when a running node exits.</summary>
    public async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string failure, TimeSpan patience) where T : class
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            foreach (var name in _running)
                Assert.False(_nodes[name].HasExited, $"{name} exited with code {(_nodes[name].HasExited ? _nodes[name].ExitCode : 0)}");
            if (await probe() is { } found) return found;
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail(failure);
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values) await node.DisposeAsync();
        File.Delete(_configFile);
    }
}
