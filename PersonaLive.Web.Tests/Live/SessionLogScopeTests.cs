using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// Every line a live session causes carries its id as a log scope, including the WebRTC stack's lines
/// logged on the media socket's and DTLS's own threads ("Answered offer", ICE, "DTLS connected").
/// A real session over our stack on loopback, with a logger provider that records each line's scopes.
/// </summary>
public sealed class SessionLogScopeTests
{
    private static readonly string[] SessionCategories =
    [
        typeof(RtcPeerConnection).FullName!, typeof(RtcMediaPeer).FullName!,
        typeof(PersonaLive.Web.Live.Pipeline.LiveSession).FullName!, typeof(LiveSessionManager).FullName!,
    ];

    [Fact]
    public async Task Every_line_of_a_session_carries_its_id()
    {
        var ct = TestContext.Current.CancellationToken;
        var capture = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Debug));
        await using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await using var peers = new RtcMediaPeerFactory(Options.Create(new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" }), loggers);
        if (!peers.IsAvailable) PersonaLive.TestSupport.Prerequisite.Missing($"no WebRTC media stack: {peers.UnavailableReason}");
        var manager = TestSessionManagers.Create(TestSessionManagers.ReadyEcho(() => new DelayedEchoEngine(TimeSpan.Zero, 1, 16)), peers,
            meters.GetRequiredService<IMeterFactory>(), new LimitsOptions(), loggers: loggers, admitted: 1);

        string sessionId;
        await using (var client = await SyntheticLiveClient.ConnectAsync(manager, new PreparedPortrait(new RgbaImage(16, 16), 16), ct, decodeOutput: false))
        {
            sessionId = client.SessionId;
            for (var i = 0; i < 100 && !capture.Lines.Any(l => l.Message.StartsWith("DTLS connected", StringComparison.Ordinal)); i++) await Task.Delay(50, ct);
            await manager.EndAsync(sessionId, "test over");
        }
        await manager.DisposeAsync();

        var lines = capture.Lines.Where(l => SessionCategories.Contains(l.Category)).ToList();
        Assert.Contains(lines, l => l.Message.StartsWith("Answered offer", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Message.StartsWith("DTLS connected", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Message.Contains("started with engine", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Message.Contains("ended (Stopped)", StringComparison.Ordinal));
        var untagged = lines.Where(l => !l.SessionIds.Contains(sessionId)).Select(l => $"{l.Category}: {l.Message}").ToList();
        Assert.True(untagged.Count == 0, "lines without the session id: " + string.Join(" | ", untagged));
    }

    /// <summary>Records each line with the session ids of the scopes active when it was logged.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<(string Category, string Message, List<string> SessionIds)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose() { }

        private sealed class Capturing(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var ids = new List<string>();
                owner._scopes.ForEachScope((scope, list) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        list.AddRange(pairs.Where(p => p.Key == SessionLogScope.Key).Select(p => p.Value?.ToString() ?? ""));
                }, ids);
                owner.Lines.Enqueue((category, formatter(state, exception), ids));
            }
        }
    }
}
