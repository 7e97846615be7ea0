namespace Replication.Cluster;

/// <summary>A node's id: the configured one, or host name + process id + a random suffix (so a restarted process is a new member).</summary>
public static class NodeIdentity
{
    public static string Resolve(string configured) =>
        configured.Length > 0 ? configured : $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 3)}";
}
