namespace Replication.Actors;

/// <summary>The location of an actor in its system's tree, e.g. <c>actor://replication/user/coordinator/table-orders</c>.</summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string _text;

    private ActorPath(string systemName, ActorPath? parent, string name)
    {
        SystemName = systemName;
        Parent = parent;
        Name = name;
        _text = parent is null ? $"actor://{systemName}/{name}" : $"{parent._text}/{name}";
    }

    public string SystemName { get; }

    public ActorPath? Parent { get; }

    public string Name { get; }

    public static ActorPath Root(string systemName, string name) => new(systemName, null, name);

    public ActorPath Child(string name) => new(SystemName, this, name);

    public static ActorPath operator /(ActorPath parent, string name) => parent.Child(name);

    public bool Equals(ActorPath? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ActorPath);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    public override string ToString() => _text;
}
