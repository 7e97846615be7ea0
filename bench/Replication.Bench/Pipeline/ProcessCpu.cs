using System.Globalization;

namespace Replication.Bench.Pipeline;

/// <summary>
/// CPU seconds (user + system) a process has used, from /proc/PID/stat; sampled around a phase it shows which of the
/// source, the node and the target spent the machine's cores.
/// </summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux architecture .NET runs on

    public static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>The first child of <paramref name="parent"/> whose command name is <paramref name="command"/> (the DynamoDB Local JVM).</summary>
    public static int? FindChild(int parent, string command)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var ppid = int.Parse(stat[(close + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (ppid == parent && name == command) return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }
        return null;
    }
}

/// <summary>CPU seconds spent by the source (DynamoDB Local or the synthetic endpoint), the node (this process) and the target server during one phase.</summary>
public sealed record PhaseCpu(double WallSeconds, double SourceSeconds, double NodeSeconds, double TargetSeconds)
{
    public override string ToString() =>
        $"{WallSeconds:F1} s wall; CPU s: source {SourceSeconds:F1}, node {NodeSeconds:F1}, MongoDB server {TargetSeconds:F1}";
}

/// <summary>Starts a CPU account of the three processes; <see cref="Stop"/> gives the deltas.</summary>
public sealed class CpuAccount(int? source, int node, int target)
{
    private readonly double _source = source is { } s ? ProcessCpu.Seconds(s) : 0;
    private readonly double _node = ProcessCpu.Seconds(node);
    private readonly double _target = ProcessCpu.Seconds(target);
    private readonly System.Diagnostics.Stopwatch _wall = System.Diagnostics.Stopwatch.StartNew();

    public PhaseCpu Stop() => new(_wall.Elapsed.TotalSeconds,
        source is { } s ? ProcessCpu.Seconds(s) - _source : 0, ProcessCpu.Seconds(node) - _node, ProcessCpu.Seconds(target) - _target);
}
