using Microsoft.Extensions.Configuration;
using PersonaLive.Inference.Engines;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Reads configuration outside the web host (CLI verbs): appsettings.json next to the app, then
/// environment variables (<c>Engine__Name</c> ...), then explicit command-line values.
/// </summary>
internal static class AppConfiguration
{
    public static IConfiguration Build() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    public static EngineOptions LoadEngineOptions(string? engineName, string? modelDirectory)
    {
        var options = new EngineOptions();
        Build().GetSection(EngineOptions.SectionName).Bind(options);
        if (!string.IsNullOrWhiteSpace(engineName)) options.Name = engineName;
        if (!string.IsNullOrWhiteSpace(modelDirectory)) options.ModelDirectory = modelDirectory;
        return options;
    }
}
