using Replication.Hocon;

namespace Replication.Tests.Hocon;

public sealed class HoconRedactionTests
{
    [Fact]
    public void Secret_keys_and_uri_passwords_are_masked()
    {
        var config = HoconConfig.ParseString("""
            source.dynamodb.credentials {
              access-key-id = "AKIAEXAMPLE"
              secret-access-key = "wJalrXUtnFEMI"
              session-token = "FQoGZXIvYXdz"
              profile = "dev"
            }
            source.mongodb.uri = "mongodb://admin:hunter2@db1:27017,db2:27017/?replicaSet=rs0"
            target.mongodb.uri = "mongodb://db1:27017"
            target.mongodb.password = ""
            api { auth-token = 12345, tokens = [a, b] }
            """, "app.conf", _ => null);

        var redacted = config.Redacted();
        Assert.Equal(HoconConfig.RedactedText, redacted.GetString("source.dynamodb.credentials.access-key-id"));
        Assert.Equal(HoconConfig.RedactedText, redacted.GetString("source.dynamodb.credentials.secret-access-key"));
        Assert.Equal(HoconConfig.RedactedText, redacted.GetString("source.dynamodb.credentials.session-token"));
        Assert.Equal("dev", redacted.GetString("source.dynamodb.credentials.profile"));
        Assert.Equal($"mongodb://admin:{HoconConfig.RedactedText}@db1:27017,db2:27017/?replicaSet=rs0", redacted.GetString("source.mongodb.uri"));
        Assert.Equal("mongodb://db1:27017", redacted.GetString("target.mongodb.uri"));
        Assert.Equal("", redacted.GetString("target.mongodb.password"));
        Assert.Equal(HoconConfig.RedactedText, redacted.GetString("api.auth-token"));
        Assert.Equal([HoconConfig.RedactedText, HoconConfig.RedactedText], redacted.GetStringList("api.tokens"));

        var text = redacted.Render();
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("wJalrXUtnFEMI", text);
        Assert.DoesNotContain("AKIAEXAMPLE", text);
        Assert.Contains("hunter2", config.Render());
        Assert.DoesNotContain("hunter2", config.ToString());
    }
}
