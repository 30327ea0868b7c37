using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Reads configuration outside the web host (CLI verbs): appsettings.json next to the app, then
/// environment variables (<c>Engine__Name</c> ...), then explicit command-line values. Options are bound
/// and validated exactly as the web host does (<see cref="AppOptions"/>): a bad value fails the verb with
/// the key named, as it would fail the app's start.
/// </summary>
internal static class AppConfiguration
{
    public static IConfiguration Build() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>The validated <c>Engine</c> section, with the command line's values on top; throws <see cref="OptionsValidationException"/>.</summary>
    public static EngineOptions LoadEngineOptions(string? engineName, string? modelDirectory) =>
        LoadEngineOptions(Build(), engineName, modelDirectory);

    /// <inheritdoc cref="LoadEngineOptions(string?, string?)"/>
    public static EngineOptions LoadEngineOptions(IConfiguration baseConfiguration, string? engineName, string? modelDirectory)
    {
        var overrides = new Dictionary<string, string?>();
        if (!string.IsNullOrWhiteSpace(engineName)) overrides[$"{EngineOptions.SectionName}:Name"] = engineName;
        if (!string.IsNullOrWhiteSpace(modelDirectory)) overrides[$"{EngineOptions.SectionName}:ModelDirectory"] = modelDirectory;
        var configuration = new ConfigurationBuilder().AddConfiguration(baseConfiguration).AddInMemoryCollection(overrides).Build();
        var services = new ServiceCollection();
        AppOptions.AddEngine(services, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<EngineOptions>>().Value;
    }
}
