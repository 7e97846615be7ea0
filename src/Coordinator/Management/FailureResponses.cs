using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Replication.Coordinator.Management;

/// <summary>
/// The middleware around every endpoint: an unknown path is a JSON 404; a failure is a JSON 503 that names what failed
/// (the checkpoint database, the cluster view…) and never carries a stack trace, which goes to the node's log instead.
/// </summary>
internal static class FailureResponses
{
    public static async Task HandleAsync(HttpContext http, RequestDelegate next, ILogger logger)
    {
        if (http.GetEndpoint() is null)
        {
            await ManagementJson.WriteAsync(http, new ManagementError($"no such endpoint: {http.Request.Path}"), StatusCodes.Status404NotFound).ConfigureAwait(false);
            return;
        }
        try
        {
            await next(http).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (DependencyUnavailableException e)
        {
            logger.LogWarning("GET {Path}: {Error}", http.Request.Path, e.Message);
            await TryAnswerAsync(http, new ManagementError(e.Message, e.Dependency)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "GET {Path} failed", http.Request.Path);
            await TryAnswerAsync(http, new ManagementError($"{http.Request.Path} failed: {e.Message}")).ConfigureAwait(false);
        }
    }

    private static Task TryAnswerAsync(HttpContext http, ManagementError error)
    {
        if (!http.Response.HasStarted) return ManagementJson.WriteAsync(http, error, StatusCodes.Status503ServiceUnavailable);
        http.Abort();
        return Task.CompletedTask;
    }
}
