using System.CommandLine;
using Microsoft.Extensions.Options;
using PersonaLive.Web.Hosting;

namespace PersonaLive.Web.Cli;

/// <summary>
/// <c>models</c>: provisions the configured engine's model files into the model directory ahead of
/// time (Docker build, offline machines), printing progress; exit code 1 with the reason on failure,
/// 2 when the <c>Engine</c> settings are invalid (validated as the app's start validates them).
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var engine = new Option<string?>("--engine") { Description = "Engine to provision (default: Engine:Name from configuration)." };
        var dir = new Option<string?>("--model-dir") { Description = "Model directory (default: Engine:ModelDirectory)." };
        var cmd = new Command("models", "Provision model files ahead of time.") { engine, dir };
        cmd.SetAction(async (parse, ct) =>
        {
            PersonaLive.Inference.Engines.EngineOptions options;
            try
            {
                options = AppConfiguration.LoadEngineOptions(parse.GetValue(engine), parse.GetValue(dir));
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync($"Invalid configuration: {ex.Message}");
                return 2;
            }

            var provisioner = EngineRegistry.CreateFactory(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            var progress = new Progress<PersonaLive.Inference.Engines.EngineStatus>(s =>
                Console.WriteLine(s.Progress is { } p ? $"[{s.State}] {s.Message} ({p:P0})" : $"[{s.State}] {s.Message}"));
            try
            {
                await provisioner.WarmUpAsync(progress, ct);
                Console.WriteLine($"Models for engine '{provisioner.Name}' are ready in {options.ModelDirectory}.");
                return 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"Provisioning failed: {ex.Message}");
                return 1;
            }
        });
        return cmd;
    }
}
