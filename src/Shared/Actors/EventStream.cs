using Microsoft.Extensions.Logging;

namespace Replication.Actors;

/// <summary>
/// Publish/subscribe by message type across the whole system: a subscriber to a type receives every published
/// event assignable to it. Actors subscribe with their ref (and are unsubscribed when they stop); code outside the
/// actor tree (the management endpoints) subscribes with a callback, which runs on the publisher's thread and
/// must be quick.
/// </summary>
public sealed class EventStream
{
    private readonly ILogger _log;
    private readonly object _gate = new();
    private Subscription[] _subscriptions = [];

    internal EventStream(ILogger log) => _log = log;

    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            if (_subscriptions.Any(s => ReferenceEquals(s.Subscriber, subscriber) && s.Channel == channel))
            {
                return false;
            }

            _subscriptions = [.. _subscriptions, new Subscription(channel, subscriber, null)];
            return true;
        }
    }

    public bool Subscribe<T>(IActorRef subscriber) => Subscribe(subscriber, typeof(T));

    /// <summary>Subscribes a callback; dispose the result to unsubscribe.</summary>
    public IDisposable Subscribe<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(typeof(T), null, e => handler((T)e));
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return new CallbackSubscription(this, subscription);
    }

    public bool Unsubscribe(IActorRef subscriber, Type channel) =>
        Remove(s => ReferenceEquals(s.Subscriber, subscriber) && s.Channel == channel);

    public bool Unsubscribe(IActorRef subscriber) => Remove(s => ReferenceEquals(s.Subscriber, subscriber));

    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var subscriptions = Volatile.Read(ref _subscriptions);
        var type = @event.GetType();
        foreach (var subscription in subscriptions)
        {
            if (!subscription.Channel.IsAssignableFrom(type))
            {
                continue;
            }

            if (subscription.Subscriber is { } subscriber)
            {
                subscriber.Tell(@event);
                continue;
            }

            try
            {
                subscription.Callback!(@event);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "An event-stream subscriber to {Channel} threw on {EventType}", subscription.Channel.Name, type.Name);
            }
        }
    }

    private bool Remove(Func<Subscription, bool> match)
    {
        // Every stopping actor unsubscribes; most never subscribed, so skip the lock for them.
        if (!Volatile.Read(ref _subscriptions).Any(match))
        {
            return false;
        }

        lock (_gate)
        {
            var kept = _subscriptions.Where(s => !match(s)).ToArray();
            if (kept.Length == _subscriptions.Length)
            {
                return false;
            }

            _subscriptions = kept;
            return true;
        }
    }

    private sealed record Subscription(Type Channel, IActorRef? Subscriber, Action<object>? Callback);

    private sealed class CallbackSubscription(EventStream stream, Subscription subscription) : IDisposable
    {
        public void Dispose() => stream.Remove(s => ReferenceEquals(s, subscription));
    }
}
