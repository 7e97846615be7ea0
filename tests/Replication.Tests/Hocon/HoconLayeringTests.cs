using Microsoft.Extensions.Configuration;
using Replication.Hocon;

namespace Replication.Tests.Hocon;

public sealed class HoconLayeringTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hocon-layers-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private HoconLoadOptions Options(IReadOnlyDictionary<string, string>? environment = null, params string[] overrides) => new()
    {
        ReferenceFile = Write("reference.conf", "app { a = ref, b = ref, c = ref, d = ref, list = [r], region = \"x\"\n region = ${?LAYER_REGION} }"),
        ApplicationFile = Write("app.conf", "app { b = app, c = app, d = app, list = ${app.list} [u] }"),
        EnvironmentPrefix = "CONFIG_FORCE_",
        Environment = environment ?? new Dictionary<string, string>(),
        Overrides = overrides,
    };

    [Fact]
    public void Reference_then_application_then_environment_then_overrides()
    {
        var environment = new Dictionary<string, string> { ["CONFIG_FORCE_app_c"] = "env", ["CONFIG_FORCE_app_d"] = "env" };
        var config = HoconConfig.Load(Options(environment, "app.d=set", "app.new=[1, 2]"));
        Assert.Equal("ref", config.GetString("app.a"));
        Assert.Equal("app", config.GetString("app.b"));
        Assert.Equal("env", config.GetString("app.c"));
        Assert.Equal("set", config.GetString("app.d"));
        Assert.Equal(["1", "2"], config.GetStringList("app.new"));
        Assert.Equal(["r", "u"], config.GetStringList("app.list"));
        Assert.Equal("x", config.GetString("app.region"));
        Assert.Equal("--set #1", config.GetValue("app.d")!.Origin.Source);
    }

    [Fact]
    public void Environment_names_map_underscores_to_dots_and_double_underscores_to_dashes()
    {
        var environment = new Dictionary<string, string>
        {
            ["CONFIG_FORCE_app_full__sync_segments"] = "8",
            ["CONFIG_FORCE_app_snake___case"] = "mongodb://u:p@h:27017",
            ["LAYER_REGION"] = "eu-north-1",
        };
        var config = HoconConfig.Load(Options(environment));
        Assert.Equal(8, config.GetInt("app.full-sync.segments"));
        Assert.Equal("mongodb://u:p@h:27017", config.GetString("app.snake_case"));
        Assert.Equal("eu-north-1", config.GetString("app.region"));
    }

    [Fact]
    public void Overrides_are_parsed_as_hocon_and_a_bad_one_is_named()
    {
        var config = HoconConfig.Load(Options(null, "app.obj={ x = 1 }", "app.s=\"a b\"", "app.dur=30s"));
        Assert.Equal(1, config.GetInt("app.obj.x"));
        Assert.Equal("a b", config.GetString("app.s"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetDuration("app.dur"));

        Assert.StartsWith("--set #1: expected key=value", Assert.Throws<HoconException>(() => HoconConfig.Load(Options(null, "novalue"))).Message);
        Assert.Equal("--set #1: 'app.x=1, app.y=2' sets more than one key; quote the value",
            Assert.Throws<HoconException>(() => HoconConfig.Load(Options(null, "app.x=1, app.y=2"))).Message);
        Assert.StartsWith("--set #1 (app.x=[1): ", Assert.Throws<HoconException>(() => HoconConfig.Load(Options(null, "app.x=[1"))).Message);
    }

    [Fact]
    public void A_missing_application_file_is_an_error()
    {
        var options = Options() with { ApplicationFile = Path.Combine(_directory, "absent.conf") };
        Assert.EndsWith("absent.conf: configuration file not found", Assert.Throws<HoconException>(() => HoconConfig.Load(options)).Message);
    }

    [Fact]
    public void The_configuration_provider_flattens_keys_and_arrays()
    {
        var configuration = new ConfigurationBuilder()
            .AddHocon(Options(null, "app.nested.\"dotted.key\"=v", "app.nothing=null"))
            .Build();
        Assert.Equal("ref", configuration["app:a"]);
        Assert.Equal("app", configuration["App:B"]);
        Assert.Equal("r", configuration["app:list:0"]);
        Assert.Equal("u", configuration["app:list:1"]);
        Assert.Equal("v", configuration["app:nested:dotted.key"]);
        Assert.Null(configuration["app:nothing"]);
        Assert.Equal(["r", "u"], configuration.GetSection("app:list").GetChildren().Select(c => c.Value ?? "").ToArray());
    }

    [Fact]
    public void The_configuration_provider_accepts_a_loaded_config_and_binds_numbers()
    {
        var config = HoconConfig.ParseString("management.http { port = 8558, hostname = \"127.0.0.1\" }", "app.conf", _ => null);
        var configuration = new ConfigurationBuilder().AddHocon(config).Build();
        Assert.Equal(8558, configuration.GetValue<int>("management:http:port"));
        Assert.Equal("127.0.0.1", configuration["management:http:hostname"]);
    }
}
