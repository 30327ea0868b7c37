using System.Collections;
using Microsoft.Extensions.Logging;

namespace PersonaLive.Web.Live.Diagnostics;

/// <summary>
/// The log scope of one live session: <c>SessionId</c> as a structured property (JSON and OpenTelemetry
/// exporters keep it) and "Session ID" as text (the console's scope column). Every line a session causes
/// carries it: its own, its peers', and the WebRTC stack's (ICE, DTLS, "Answered offer"), which log
/// through a <see cref="SessionLogger{T}"/> handed over when the peer is created.
/// </summary>
internal sealed class SessionLogScope(string sessionId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string Key = "SessionId";

    public string SessionId { get; } = sessionId;

    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new(Key, SessionId) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => "Session " + SessionId;
}

/// <summary>
/// A logger that writes every line inside its session's <see cref="SessionLogScope"/>, whatever thread
/// logs it: the shared media socket's receive thread and the DTLS threads do not run inside the scope a
/// session's own code opens, so the scope travels with the logger instead.
/// </summary>
internal sealed class SessionLogger<T>(ILogger inner, string sessionId) : ILogger<T>
{
    private readonly SessionLogScope _scope = new(sessionId);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel)) return;
        using (inner.BeginScope(_scope)) inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
