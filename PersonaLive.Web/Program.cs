using PersonaLive.Web.Cli;

// Entry point: the command line (serve | models). With no verb the app serves, so
// `dotnet run` and WebApplicationFactory both start the web host.
return await PersonaLiveCli.Create().Parse(args).InvokeAsync();

/// <summary>Entry-point type; public so host tests can name it in WebApplicationFactory.</summary>
public partial class Program;
