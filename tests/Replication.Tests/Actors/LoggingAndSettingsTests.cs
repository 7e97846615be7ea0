using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Replication.Actors;

namespace Replication.Tests.Actors;

public sealed class LoggingAndSettingsTests
{
    private sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyList<object> Scopes);

    /// <summary>A logger provider that keeps each entry with the scopes open when it was written.</summary>
    private sealed class RecordingProvider : ILoggerProvider
    {
        private readonly AsyncLocal<ImmutableStack> _scopes = new();

        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recording(this, categoryName);

        public void Dispose()
        {
        }

        private sealed record ImmutableStack(object Top, ImmutableStack? Rest);

        private sealed class Recording(RecordingProvider provider, string category) : ILogger
        {
            public IDisposable BeginScope<TState>(TState state)
                where TState : notnull
            {
                var previous = provider._scopes.Value;
                provider._scopes.Value = new ImmutableStack(state, previous);
                return new Pop(() => provider._scopes.Value = previous!);
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<object>();
                for (var s = provider._scopes.Value; s is not null; s = s.Rest)
                {
                    scopes.Add(s.Top);
                }

                provider.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), scopes));
            }
        }

        private sealed class Pop(Action pop) : IDisposable
        {
            public void Dispose() => pop();
        }
    }

    private sealed class Chatty : ReceiveActor
    {
        public Chatty()
        {
            ReceiveAsync<string>(async text =>
            {
                await Task.Yield();
                Context.Log.LogInformation("said {Text}", text);
                Sender!.Tell("done", Self);
            });
            Receive<int>(_ => throw new InvalidOperationException("chatty failed"));
        }
    }

    [Fact]
    public async Task Actor_log_entries_and_failure_reports_carry_the_actor_path_in_scope()
    {
        var provider = new RecordingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        var system = ActorSystem.Create("logging", loggerFactory: factory);
        var chatty = system.ActorOf(Props.Create<Chatty>(), "chatty");

        Assert.Equal("done", await chatty.Ask<string>("hello", TestProbe.Patience));
        chatty.Tell(1);
        Assert.Equal("done", await chatty.Ask<string>("again", TestProbe.Patience));
        await system.Terminate().WaitAsync(TestProbe.Patience);

        var said = Assert.Single(provider.Entries, e => e.Message == "said hello");
        var scope = Assert.IsType<ActorPathScope>(Assert.Single(said.Scopes));
        Assert.Equal("actor://logging/user/chatty", scope.Path.ToString());
        Assert.Equal(new KeyValuePair<string, object?>("ActorPath", "actor://logging/user/chatty"), scope[0]);
        var failure = Assert.Single(provider.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("restarting"));
        Assert.Contains(failure.Scopes, s => s is ActorPathScope p && p.Path == chatty.Path);
    }

    [Fact]
    public void Settings_are_read_from_relative_keys_of_a_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["replication:actors:ask-timeout"] = "5s",
            ["replication:actors:throughput"] = "50",
            ["replication:actors:dead-letters:log-limit"] = "3",
            ["replication:actors:supervisor:min-backoff"] = "250ms",
            ["replication:actors:supervisor:max-backoff"] = "2 minutes",
            ["replication:actors:supervisor:random-factor"] = "0.5",
            ["replication:actors:supervisor:max-retries"] = "10",
            ["replication:actors:supervisor:within"] = "1m",
        }).Build();

        var settings = ActorSystemSettings.FromConfiguration(configuration.GetSection("replication:actors"));

        Assert.Equal(TimeSpan.FromSeconds(5), settings.AskTimeout);
        Assert.Equal(50, settings.Throughput);
        Assert.Equal(3, settings.DeadLetterLogLimit);
        Assert.Equal(new RestartBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromMinutes(2), 0.5), settings.RestartBackoff);
        Assert.Equal(10, settings.SupervisorMaxRetries);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.SupervisorRetryWindow);
        Assert.Equal(ActorSystemSettings.Default, ActorSystemSettings.FromConfiguration(configuration.GetSection("replication:nothing-here")));
    }

    [Fact]
    public async Task A_system_created_from_a_section_uses_its_settings_for_Ask_and_supervision()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["actors:ask-timeout"] = "150ms",
            ["actors:supervisor:min-backoff"] = "0ms",
            ["actors:supervisor:max-backoff"] = "0ms",
        }).Build();
        var system = ActorSystem.Create("configured", configuration.GetSection("actors"));
        var silent = system.ActorOf(Props.Create<Silent>());

        await Assert.ThrowsAsync<AskTimeoutException>(() => silent.Ask<string>("anyone?"));

        Assert.Equal(TimeSpan.FromMilliseconds(150), system.Settings.AskTimeout);
        Assert.Equal(RestartBackoff.Immediate with { RandomFactor = 0.2 }, system.DefaultSupervisorStrategy.Backoff);
        await system.Terminate().WaitAsync(TestProbe.Patience);
    }

    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    [Fact]
    public void A_bad_setting_is_reported_with_its_full_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["replication:actors:ask-timeout"] = "soon",
        }).Build();

        var error = Assert.Throws<FormatException>(() => ActorSystemSettings.FromConfiguration(configuration.GetSection("replication:actors")));

        Assert.Contains("replication:actors:ask-timeout", error.Message);
        Assert.Contains("soon", error.Message);
    }

    [Fact]
    public async Task Dead_letters_are_logged_up_to_the_limit_and_counted_beyond_it()
    {
        var provider = new RecordingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider));
        var system = ActorSystem.Create("dead-letters", new ActorSystemSettings { DeadLetterLogLimit = 2 }, factory);

        for (var i = 0; i < 5; i++)
        {
            system.DeadLetters.Tell(i);
        }

        Assert.Equal(5, system.DeadLetterCount);
        Assert.Equal(2, provider.Entries.Count(e => e.Message.Contains("was not delivered")));
        await system.Terminate().WaitAsync(TestProbe.Patience);
    }
}
