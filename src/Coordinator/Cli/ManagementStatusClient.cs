using System.Net.Http.Json;
using System.Text.Json;
using Replication.Coordinator.Management;
using Replication.Coordinator.Management.Cluster;
using Replication.Coordinator.Management.Progress;

namespace Replication.Coordinator.Cli;

/// <summary>What <c>replication status</c> learned from a node; a part that could not be read is null and explained in <see cref="Errors"/>.</summary>
internal sealed record ClusterStatus(ClusterMembersResponse? Members, ClusterShardsResponse? Shards, ProgressReport? Progress, IReadOnlyList<string> Errors);

/// <summary>Reads /cluster/members, /cluster/shards and /progress from a node's management endpoints, into the server's own records.</summary>
internal sealed class ManagementStatusClient(Uri baseAddress, TimeSpan timeout) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = timeout };

    public async Task<ClusterStatus> FetchAsync(CancellationToken cancellationToken)
    {
        var members = GetAsync<ClusterMembersResponse>("cluster/members", cancellationToken);
        var shards = GetAsync<ClusterShardsResponse>("cluster/shards", cancellationToken);
        var progress = GetAsync<ProgressResponse>("progress", cancellationToken);
        await Task.WhenAll(members, shards, progress).ConfigureAwait(false);
        var errors = new[] { members.Result.Error, shards.Result.Error, progress.Result.Error }.OfType<string>().Distinct().ToList();
        return new ClusterStatus(members.Result.Value, shards.Result.Value, progress.Result.Value?.Progress, errors);
    }

    private async Task<(T? Value, string? Error)> GetAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        var url = new Uri(_http.BaseAddress!, path);
        try
        {
            using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return (null, $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}: {await ErrorTextAsync(response, cancellationToken).ConfigureAwait(false)}");
            var value = await response.Content.ReadFromJsonAsync<T>(ManagementJson.Options, cancellationToken).ConfigureAwait(false);
            return value is null ? (null, $"{url} answered an empty body") : (value, null);
        }
        catch (HttpRequestException e)
        {
            return (null, $"cannot reach {_http.BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer from {url} within {_http.Timeout.TotalSeconds:0} s");
        }
        catch (JsonException e)
        {
            return (null, $"{url} did not answer with the expected JSON (is it a replication node?): {e.Message}");
        }
    }

    private static async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<ManagementError>(body, ManagementJson.Options)?.Error ?? body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] + "…" : body;
        }
    }

    public void Dispose() => _http.Dispose();
}
