using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Replication.Coordinator.Management;

/// <summary>One JSON shape for the server and for <c>replication status</c>, which reads the same records back.</summary>
public static class ManagementJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public const string ContentType = "application/json; charset=utf-8";

    public static Task WriteAsync<T>(HttpContext http, T value, int statusCode = StatusCodes.Status200OK)
    {
        http.Response.StatusCode = statusCode;
        return http.Response.WriteAsJsonAsync(value, Options, ContentType, http.RequestAborted);
    }
}

/// <summary>The body of every failed request: what failed, in words.</summary>
public sealed record ManagementError(string Error, string? Dependency = null);
