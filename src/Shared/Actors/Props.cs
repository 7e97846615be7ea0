namespace Replication.Actors;

/// <summary>The recipe for creating an actor: used on first start and again on every restart.</summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory, SupervisorStrategy? supervisorStrategy)
    {
        ActorType = actorType;
        _factory = factory;
        SupervisorStrategy = supervisorStrategy;
    }

    public Type ActorType { get; }

    /// <summary>Strategy for this actor's children unless the actor overrides <see cref="ActorBase.SupervisorStrategy"/>.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    public static Props Create<TActor>()
        where TActor : ActorBase, new() => new(typeof(TActor), static () => new TActor(), null);

    /// <summary>The factory must return a new instance on every call; it runs inside the actor's own mailbox turn.</summary>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(typeof(TActor), factory, null);
    }

    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => new(ActorType, _factory, strategy);

    internal ActorBase NewActor() => _factory();
}
