using System.Net;
using System.Text.Json;
using Replication.Hocon;

namespace Replication.Tests.Management;

public sealed class ConfigurationEndpointTests : ManagementServerTest
{
    [Fact]
    public async Task Conf_is_the_check_config_text_with_every_secret_redacted()
    {
        var response = await Http.GetAsync("/conf");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Configuration.Config.GetConfig("replication").Redacted().Render(), text);
        Assert.DoesNotContain(MongoSecret, text);
        Assert.DoesNotContain(AwsSecret, text);
        Assert.Contains($"admin:{HoconConfig.RedactedText}@db.example.com", text);
        Assert.Contains("mgmt-test", text);
    }

    [Fact]
    public async Task Conf_as_json_has_the_same_tree_and_no_secret()
    {
        var response = await Http.GetAsync("/conf?format=json");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(MongoSecret, text);
        Assert.DoesNotContain(AwsSecret, text);
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal("mgmt-test", root.GetProperty("id").GetString());
        Assert.Equal(HoconConfig.RedactedText, root.GetProperty("source").GetProperty("dynamodb").GetProperty("credentials").GetProperty("secret-access-key").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("management").GetProperty("http").GetProperty("port").ValueKind);
        Assert.Equal("127.0.0.1", root.GetProperty("management").GetProperty("http").GetProperty("hostname").GetString());
    }
}
