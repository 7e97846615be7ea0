using System.Net;
using System.Net.Sockets;

namespace Replication.Coordinator.Management.Hosting;

/// <summary>Turns <c>management.http.hostname</c> into the address Kestrel binds.</summary>
internal static class ListenAddress
{
    public static IPAddress Resolve(string hostname)
    {
        switch (hostname.Trim())
        {
            case "" or "localhost":
                // Kestrel refuses port 0 on "localhost" (it binds two addresses); loopback v4 is what the default means.
                return IPAddress.Loopback;
            case "*" or "+" or "0.0.0.0":
                return IPAddress.Any;
            case "::" or "[::]":
                return IPAddress.IPv6Any;
        }
        if (IPAddress.TryParse(hostname.Trim('[', ']'), out var address)) return address;
        var resolved = Dns.GetHostAddresses(hostname);
        return resolved.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? resolved.FirstOrDefault()
            ?? throw new ArgumentException($"replication.management.http.hostname '{hostname}' resolves to no address");
    }
}
