namespace Replication.Hocon;

/// <summary>A configuration that cannot be parsed, resolved or read as the requested type; the message names the place.</summary>
public sealed class HoconException : Exception
{
    public HoconException(string message, HoconOrigin? origin = null, string? path = null) : base(message)
    {
        Origin = origin;
        Path = path;
    }

    public HoconOrigin? Origin { get; }

    public string? Path { get; }

    internal static HoconException At(HoconOrigin origin, string message) => new($"{origin}: {message}", origin);
}
