using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PersonaLive.Web.Hosting;

namespace PersonaLive.Web.Tests.Hosting;

/// <summary>
/// Every configuration section is validated at start, and each bad value stops the app naming its key:
/// Engine, Limits, Rtc (bitrate bounds, retransmission budget, ...), Live, the cross-limit between sessions,
/// viewers and peer connections, and the CLI's binding of the Engine section.
/// </summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Engine:Name=echo", "Engine:Name")]
    [InlineData("Engine:ExecutionProvider=gpu", "Engine:ExecutionProvider")]
    [InlineData("Engine:GraphOptimization=max", "Engine:GraphOptimization")]
    [InlineData("Engine:ModelDirectory= ", "Engine:ModelDirectory")]
    [InlineData("Engine:ExecutionProvider=tensorrt;Engine:TensorRtCacheDirectory=/proc/personalive-no-such-dir", "Engine:TensorRtCacheDirectory")]
    [InlineData("Limits:MaxSessions=0", "Limits:MaxSessions")]
    [InlineData("Limits:MaxUploadBytes=10", "Limits:MaxUploadBytes")]
    [InlineData("Limits:MaxUploadPixels=1", "Limits:MaxUploadPixels")]
    [InlineData("Limits:IdleTimeoutSeconds=1", "Limits:IdleTimeoutSeconds")]
    [InlineData("Limits:MaxViewersPerSession=-1", "Limits:MaxViewersPerSession")]
    [InlineData("Limits:DepartedGraceSeconds=601", "Limits:DepartedGraceSeconds")]
    [InlineData("Rtc:MediaPort=70000", "Rtc:MediaPort")]
    [InlineData("Rtc:BindAddress=localhost", "Rtc:BindAddress")]
    [InlineData("Rtc:DtlsHandshakeTimeoutSeconds=0", "Rtc:DtlsHandshakeTimeoutSeconds")]
    [InlineData("Rtc:MinOutgoingBitrateKbps=3000", "Rtc:MinOutgoingBitrateKbps")]
    [InlineData("Rtc:StartOutgoingBitrateKbps=4000", "Rtc:StartOutgoingBitrateKbps")]
    [InlineData("Rtc:MaxOutgoingBitrateKbps=500000;Rtc:StartOutgoingBitrateKbps=500000", "Rtc:MaxOutgoingBitrateKbps")]
    [InlineData("Rtc:MaxIncomingBitrateKbps=0", "Rtc:MaxIncomingBitrateKbps")]
    [InlineData("Rtc:RetransmissionBudgetPercent=0", "Rtc:RetransmissionBudgetPercent")]
    [InlineData("Rtc:RetransmissionBudgetPercent=500", "Rtc:RetransmissionBudgetPercent")]
    [InlineData("Rtc:FrameLossTimeoutMs=1", "Rtc:FrameLossTimeoutMs")]
    [InlineData("Rtc:EncoderCpuUsed=99", "Rtc:EncoderCpuUsed")]
    [InlineData("Rtc:MaxPeerConnections=0", "Rtc:MaxPeerConnections")]
    [InlineData("Live:EchoEngineDelayMs=0", "Live:EchoEngineDelayMs")]
    [InlineData("Limits:MaxSessions=10;Limits:MaxViewersPerSession=10;Rtc:MaxPeerConnections=64", "Rtc:MaxPeerConnections")]
    public void Invalid_setting_stops_start_naming_the_key(string settings, string key)
    {
        using var provider = ServicesFor(Parse(settings));

        var ex = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var failures = ex is AggregateException all ? all.InnerExceptions : [ex];
        Assert.All(failures, f => Assert.IsType<OptionsValidationException>(f));
        Assert.Contains(failures, f => f.Message.Contains(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Limits:MaxSessions=4;Limits:MaxViewersPerSession=15;Rtc:MaxPeerConnections=64")] // exactly 64
    [InlineData("Limits:MaxSessions=32;Limits:MaxViewersPerSession=0")]
    public void Valid_settings_start(string settings)
    {
        using var provider = ServicesFor(Parse(settings));
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Cli_binds_the_engine_section_with_the_same_validation()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Engine:ExecutionProvider"] = "gpu" }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => AppConfiguration.LoadEngineOptions(config, engineName: null, modelDirectory: null));
        Assert.Contains("Engine:ExecutionProvider", ex.Message, StringComparison.Ordinal);

        var bad = Assert.Throws<OptionsValidationException>(() => AppConfiguration.LoadEngineOptions(new ConfigurationBuilder().Build(), "echo", null));
        Assert.Contains("Engine:Name", bad.Message, StringComparison.Ordinal);

        var ok = AppConfiguration.LoadEngineOptions(new ConfigurationBuilder().Build(), "personalive", "/tmp/personalive-models-test");
        Assert.Equal(("personalive", "/tmp/personalive-models-test"), (ok.Name, ok.ModelDirectory));
    }

    private static Dictionary<string, string?> Parse(string settings) =>
        settings.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => (string?)kv[1]);

    private static ServiceProvider ServicesFor(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        services.AddSingleton<IConfiguration>(configuration);
        WebHostSetup.AddServices(services, configuration);
        return services.BuildServiceProvider();
    }
}
