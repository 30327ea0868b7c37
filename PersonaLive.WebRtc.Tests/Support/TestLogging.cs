using Microsoft.Extensions.Logging;

namespace PersonaLive.WebRtc.Tests.Support;

/// <summary>Routes library logs to the xunit test output (warnings and up by default).</summary>
internal sealed class TestLoggerFactory(LogLevel minimum = LogLevel.Warning) : ILoggerFactory
{
    private long _errors;

    /// <summary>Messages logged at Error or Critical (whatever the minimum level), e.g. a caught handler exception.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName, minimum);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(TestLoggerFactory owner, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum || logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                Interlocked.Increment(ref owner._errors);
            }

            if (logLevel >= minimum)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
        }
    }
}
