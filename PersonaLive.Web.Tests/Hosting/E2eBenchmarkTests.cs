using PersonaLive.Web.Live.Benchmarks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Tests.Hosting;

/// <summary>The e2e benchmark refuses clearly when this build cannot do live video (before launching a browser).</summary>
public sealed class E2eBenchmarkTests
{
    [Fact]
    public async Task Explains_a_missing_media_stack()
    {
        if (!File.Exists("/usr/bin/chromium")) Assert.Skip("/usr/bin/chromium is not installed (apt-get install chromium).");
        if (MediaStackAvailable()) Assert.Skip("This build has a media stack: the benchmark itself is the end-to-end check.");
        using var log = new StringWriter();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => E2eBenchmark.RunAsync(5, log, TestContext.Current.CancellationToken));
        Assert.Equal(UnavailableMediaPeerFactory.Reason, ex.Message);
    }

    /// <summary>Whether the app as composed has a working media stack (the WebRTC adapter is registered).</summary>
    internal static bool MediaStackAvailable()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        PersonaLive.Web.Hosting.WebHostSetup.AddServices(services, new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IMediaPeerFactory>().IsAvailable;
    }
}
