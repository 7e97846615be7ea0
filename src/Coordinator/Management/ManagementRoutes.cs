using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Replication.Coordinator.Management.Cluster;
using Replication.Coordinator.Management.Configuration;
using Replication.Coordinator.Management.Metrics;
using Replication.Coordinator.Management.Progress;

namespace Replication.Coordinator.Management;

/// <summary>Which path answers what; each answer is built by the type named for it.</summary>
internal sealed class ManagementRoutes(ManagementContext context, PrometheusExporter metrics, ProgressReportBuilder progress, EffectiveConfiguration configuration)
{
    // Probes and load balancers often ask with HEAD: it answers as GET does, and Kestrel sends no body for it.
    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/alive", GetOrHead, Alive);
        endpoints.MapMethods("/health/alive", GetOrHead, Alive);
        endpoints.MapMethods("/ready", GetOrHead, Ready);
        endpoints.MapMethods("/health/ready", GetOrHead, Ready);
        endpoints.MapMethods("/cluster/members", GetOrHead, Members);
        endpoints.MapMethods("/cluster/shards", GetOrHead, Shards);
        endpoints.MapMethods("/progress", GetOrHead, Progress);
        endpoints.MapMethods("/metrics", GetOrHead, Metrics);
        endpoints.MapMethods("/conf", GetOrHead, Configuration);
    }

    private static Task Alive(HttpContext http) => ManagementJson.WriteAsync(http, new AliveResponse("alive"));

    private async Task Ready(HttpContext http)
    {
        var report = await context.Readiness.CheckAsync(http.RequestAborted).ConfigureAwait(false);
        await ManagementJson.WriteAsync(http, report, report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
    }

    private async Task Members(HttpContext http)
    {
        var snapshot = await DependencyUnavailableException.Guard("cluster view",
            () => context.Cluster.MembersAsync(http.RequestAborted), http.RequestAborted).ConfigureAwait(false);
        await ManagementJson.WriteAsync(http, ClusterMembersResponse.From(snapshot)).ConfigureAwait(false);
    }

    private async Task Shards(HttpContext http)
    {
        var regions = context.Cluster.ShardRegionsAsync(http.RequestAborted);
        var leases = await DependencyUnavailableException.Guard("cluster view",
            () => context.Cluster.LeasesAsync(http.RequestAborted), http.RequestAborted).ConfigureAwait(false);
        await ManagementJson.WriteAsync(http, ClusterShardsResponse.From(leases, await regions.ConfigureAwait(false), context.Clock.GetUtcNow())).ConfigureAwait(false);
    }

    private async Task Progress(HttpContext http)
    {
        var report = context.ProgressSource is { } source
            ? await source(http.RequestAborted).ConfigureAwait(false)
            : await progress.BuildAsync(http.RequestAborted).ConfigureAwait(false);
        await ManagementJson.WriteAsync(http, new ProgressResponse(true, report)).ConfigureAwait(false);
    }

    private Task Metrics(HttpContext http)
    {
        http.Response.ContentType = PrometheusExporter.ContentType;
        return http.Response.WriteAsync(metrics.Scrape(), http.RequestAborted);
    }

    private async Task Configuration(HttpContext http)
    {
        var json = string.Equals(http.Request.Query["format"], "json", StringComparison.OrdinalIgnoreCase);
        var text = await DependencyUnavailableException.Guard("configuration",
            () => Task.FromResult(json ? configuration.Json : configuration.Hocon), http.RequestAborted).ConfigureAwait(false);
        http.Response.ContentType = json ? ManagementJson.ContentType : "text/plain; charset=utf-8";
        await http.Response.WriteAsync(text, http.RequestAborted).ConfigureAwait(false);
    }
}

public sealed record AliveResponse(string Status);
