using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Replication.Configuration;
using Replication.Coordinator.Management.Configuration;
using Replication.Coordinator.Management.Hosting;
using Replication.Coordinator.Management.Metrics;
using Replication.Coordinator.Management.Progress;

namespace Replication.Coordinator.Management;

/// <summary>
/// The management HTTP endpoints of one node (Kestrel, plain HTTP, loopback unless configured otherwise): health,
/// cluster members and leases, progress, Prometheus metrics and the effective configuration.
/// Metrics are counted from construction on, so construct it before the node starts working; then
/// <see cref="StartAsync"/> binds the port (a no-op when <c>management.http.enabled</c> is off).
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly ManagementSettings _settings;
    private readonly ILoggerFactory _loggers;
    private readonly PrometheusExporter _metrics;
    private readonly ManagementRoutes _routes;
    private WebApplication? _app;
    private Uri? _baseAddress;

    public ManagementServer(ManagementSettings settings, ManagementContext context, ILoggerFactory loggers)
    {
        _settings = settings;
        _loggers = loggers;
        _metrics = new PrometheusExporter(context.Metrics.Meter);
        _routes = new ManagementRoutes(context, _metrics,
            new ProgressReportBuilder(context.Checkpoints, context.Mode, context.Clock),
            new EffectiveConfiguration(context.Configuration));
    }

    /// <summary>True once bound; false before <see cref="StartAsync"/>, after disposal, or when disabled.</summary>
    public bool IsServing => _app is not null;

    /// <summary>Where the endpoints answer, e.g. http://127.0.0.1:8558/ — with port 0 configured, the port actually bound.</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("the management server is not serving (not started, disabled, or disposed)");

    public int Port => BaseAddress.Port;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (!_settings.Enabled || _app is not null) return;
        var address = ListenAddress.Resolve(_settings.Hostname);
        var app = Build(address);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"the management endpoints cannot listen on {_settings.Hostname}:{_settings.Port} ({e.Message}); " +
                "change replication.management.http.port (0 picks a free port) or set replication.management.http.enabled = off", e);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _baseAddress = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        _app = app;
        _loggers.CreateLogger<ManagementServer>().LogInformation("management endpoints on {Address}", _baseAddress);
    }

    private WebApplication Build(System.Net.IPAddress address)
    {
        // The empty builder reads no appsettings, environment or command line: only what is set here applies.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "replication-management" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, _settings.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(new QuietLoggerFactory(_loggers)));
        builder.Services.Replace(ServiceDescriptor.Singleton<IHostLifetime, EmbeddedHostLifetime>());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);

        var app = builder.Build();
        var logger = _loggers.CreateLogger("Replication.Management");
        app.Use((http, next) => FailureResponses.HandleAsync(http, next, logger));
        _routes.Map(app);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        var app = _app;
        _app = null;
        _baseAddress = null;
        if (app is not null)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        _metrics.Dispose();
    }
}
