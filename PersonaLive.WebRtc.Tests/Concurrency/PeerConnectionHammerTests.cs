using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Concurrency;

/// <summary>
/// The public API of a live connection from several threads at once: Close racing sends, receives,
/// stats and keyframe calls; subscribers that throw. Nothing may escape, crash or be raised twice.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class PeerConnectionHammerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Close_racing_send_receive_stats_and_keyframes_is_safe_and_final()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        int closedEvents = 0, decoded = 0;
        pair.Server.ConnectionStateChanged += (_, s) => { if (s == PeerConnectionState.Closed) Interlocked.Increment(ref closedEvents); };
        pair.Client.ConnectionStateChanged += (_, s) => { if (s == PeerConnectionState.Closed) Interlocked.Increment(ref closedEvents); };
        pair.Server.FrameDecoded += (_, _) => Interlocked.Increment(ref decoded);

        using var stop = new CancellationTokenSource();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        Task Loop(Action step) => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    step();
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                    return;
                }
            }
        });

        var picture = I420Frame.Create(160, 120);
        picture.Fill(90, 128, 128);
        var encoded = new EncodedFrame(new byte[900], false, 0);
        var workers = new[]
        {
            Loop(() => { pair.Client.SendFrame(picture, NtpTime.Now()); Thread.Sleep(5); }),
            Loop(() => { pair.Server.SendEncodedFrame(encoded, NtpTime.Now()); Thread.Sleep(2); }),
            Loop(() => { pair.Server.GetStats(); pair.Client.GetStats(); pair.ServerMedia.GetTotals(); }),
            Loop(() => { pair.Server.RequestKeyframe(); pair.Client.ForceKeyframe(); Thread.Sleep(1); }),
        };

        await WaitUntil(() => Volatile.Read(ref decoded) >= 5, "frames flowing before the close");
        using var go = new ManualResetEventSlim();
        var closers = Enumerable.Range(0, 6).Select(i => Task.Run(() =>
        {
            go.Wait();
            (i % 2 == 0 ? pair.Server : pair.Client).Close();
        })).ToArray();
        go.Set();
        await Task.WhenAll(closers);
        await Task.Delay(200, TestContext.Current.CancellationToken); // sends and stats keep racing the closed connection
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        await pair.Server.DisposeAsync();
        await pair.Client.DisposeAsync();

        Assert.Empty(errors);
        Assert.Equal(PeerConnectionState.Closed, pair.Server.ConnectionState);
        Assert.Equal(PeerConnectionState.Closed, pair.Client.ConnectionState);
        Assert.Equal(2, closedEvents); // exactly one Closed per connection, however many threads closed it
        Assert.Equal(0u, pair.Client.SendFrame(picture, NtpTime.Now()));
        Assert.Equal(0u, pair.Server.SendEncodedFrame(encoded, NtpTime.Now()));
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors + pair.ClientMedia.SocketHandlerErrors);
        Assert.Equal(0, pair.Server.GetStats().InternalErrors + pair.Client.GetStats().InternalErrors);
        Assert.Equal(0, logs.Errors);
    }

    [Fact]
    public async Task A_throwing_subscriber_is_logged_counted_and_isolated()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Critical);
        await using var pair = PeerPair.Create(logs);
        var seenByNext = new List<PeerConnectionState>();
        int decodedByNext = 0;
        pair.Server.ConnectionStateChanged += (_, _) => throw new InvalidOperationException("state subscriber bug");
        pair.Server.ConnectionStateChanged += (_, s) => { lock (seenByNext) seenByNext.Add(s); };
        pair.Server.FrameDecoded += (_, _) => throw new InvalidOperationException("frame subscriber bug");
        pair.Server.FrameDecoded += (_, _) => Interlocked.Increment(ref decodedByNext);
        pair.Server.KeyframeRequested += (_, _) => throw new InvalidOperationException("keyframe subscriber bug");
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, Timeout);

        var picture = I420Frame.Create(160, 120);
        picture.Fill(120, 128, 128);
        for (int i = 0; i < 200 && Volatile.Read(ref decodedByNext) < 10; i++)
        {
            pair.Client.SendFrame(picture, NtpTime.Now());
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var stats = pair.Server.GetStats();
        Assert.True(decodedByNext >= 10, $"the second FrameDecoded subscriber saw {decodedByNext} frames");
        Assert.Equal(stats.FramesDecoded, decodedByNext); // the thrower never cost a frame
        int states;
        lock (seenByNext)
        {
            Assert.Equal(PeerConnectionState.Connected, seenByNext[^1]); // the subscriber after the thrower saw every change
            states = seenByNext.Count;
        }

        // every state change + every decoded frame + the keyframe request when the client connected
        Assert.True(stats.HandlerFailures >= states + decodedByNext + 1, $"HandlerFailures {stats.HandlerFailures}");
        Assert.Equal(stats.HandlerFailures, logs.Errors);
        Assert.Equal(0, stats.InternalErrors);
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState);
    }

    [Fact]
    public async Task Forged_packets_from_many_threads_are_each_counted_once()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        const int Threads = 4, PerThread = 2000;
        // A valid path (the client's address) but a tag that cannot verify, from an SSRC the SRTP part
        // never saw (so no replay check comes first): every one is an authentication failure.
        var source = pair.ClientMedia.LocalEndPoint;
        byte[] forged = new byte[60];
        forged[0] = 0x80;
        forged[1] = 96;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(forged.AsSpan(8), 0xDEADBEEF);
        long before = pair.Server.GetStats().DroppedUnauthenticated;
        var picture = I420Frame.Create(160, 120);
        using var stop = new CancellationTokenSource();
        var media = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                pair.Client.SendFrame(picture, NtpTime.Now()); // real packets on the socket thread meanwhile
                Thread.Sleep(10);
            }
        }, TestContext.Current.CancellationToken);
        // Half the threads from a path ICE never validated: counted by the connection, not by SRTP.
        var stranger = new System.Net.IPEndPoint(source.Address, source.Port == 9 ? 10 : 9);
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                pair.Server.HandleDatagram(PersonaLive.WebRtc.Transport.PacketKind.Rtp, forged, t % 2 == 0 ? source : stranger);
            }
        }, TestContext.Current.CancellationToken)));
        await stop.CancelAsync();
        await media;

        Assert.Equal(Threads * PerThread, pair.Server.GetStats().DroppedUnauthenticated - before);
    }

    [Fact]
    public async Task Disposing_from_its_own_state_handler_even_blocking_does_not_deadlock()
    {
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.ConnectionStateChanged += (_, s) =>
        {
            if (s == PeerConnectionState.Connected)
            {
                pair.Server.DisposeAsync().AsTask().GetAwaiter().GetResult(); // sync over async on the executor
                disposed.TrySetResult();
            }
        };

        await disposed.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Closed, Timeout);
        Assert.Equal(0, pair.Server.GetStats().HandlerFailures);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
