using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>Outcome of one loopback run.</summary>
public sealed record LoopbackResult(
    int FramesPerDirection,
    long ServerDecoded,
    long ClientDecoded,
    long Lost,
    long Recovered,
    IReadOnlyList<double> LatenciesMs,
    PeerConnectionStats Server,
    PeerConnectionStats Client,
    long RelayDropped,
    double LastServerFrameMeanY,
    double LastClientFrameMeanY)
{
    /// <summary>Exceptions that reached the server's socket loop (must be 0).</summary>
    public long ServerSocketHandlerErrors { get; init; }

    /// <summary>Exceptions that reached the client's socket loop (must be 0).</summary>
    public long ClientSocketHandlerErrors { get; init; }

    /// <summary>Whether each side decoded the other's closing keyframe (sent losslessly after the measured frames).</summary>
    public bool DrainKeyframesDecoded { get; init; }
}

/// <summary>
/// Our client and our server, each on its own UDP socket on 127.0.0.1, connected through a
/// <see cref="LossyUdpRelay"/>; both send the same number of VP8 frames (a test pattern whose left half
/// has luma 60 and right half 190) at a fixed rate. Latency is capture-to-decode on the same clock,
/// using the capture NTP time the receiver derives from our RTP timestamp and SR. After the measured
/// frames the relay stops dropping and each side sends one closing keyframe, which is not counted: a
/// measured frame lost without a trace (e.g. the last one) is then revealed by the PictureID gap, so
/// decoded + lost accounts for every measured frame. Decoded counts exclude the closing keyframe.
/// </summary>
public static class LoopbackRun
{
    public static async Task<LoopbackResult> RunAsync(int frames, double lossRate, int width, int height, int fps,
        ILoggerFactory loggerFactory, CancellationToken ct)
    {
        RtcOptions Options() { var o = new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" }; return o; }
        await using var serverMedia = new RtcMediaServer(Options(), loggerFactory);
        await using var clientMedia = new RtcMediaServer(Options(), loggerFactory);
        using var relay = new LossyUdpRelay(serverMedia.LocalEndPoint, lossRate);
        var server = serverMedia.CreatePeerConnection();
        var client = clientMedia.CreatePeerConnection();
        var latencies = new List<double>();
        var serverDecoded = new List<uint>(frames + 1);
        var clientDecoded = new List<uint>(frames + 1);
        double serverLastY = 0, clientLastY = 0;
        server.FrameDecoded += (_, f) =>
        {
            serverLastY = f.Frame.MeanY(0, 0, f.Frame.Width / 2 - 8, f.Frame.Height);
            lock (serverDecoded)
            {
                serverDecoded.Add(f.RtpTimestamp);
            }
        };
        client.FrameDecoded += (_, f) =>
        {
            clientLastY = f.Frame.MeanY(0, 0, f.Frame.Width / 2 - 8, f.Frame.Height);
            lock (clientDecoded)
            {
                clientDecoded.Add(f.RtpTimestamp);
            }

            if (f.CaptureTimeUs is long capture)
            {
                double ms = (NtpTime.ToUnixMicros(NtpTime.Now()) - capture) / 1000.0;
                lock (latencies)
                {
                    latencies.Add(ms);
                }
            }
        };
        var connected = Task.WhenAll(WaitConnected(server, ct), WaitConnected(client, ct));
        string offer = client.CreateOffer();
        string answer = server.CreateAnswer(offer);
        client.SetAnswer(answer.Replace($" {serverMedia.LocalEndPoint.Port} typ host", $" {relay.ClientFacing.Port} typ host", StringComparison.Ordinal)
            .Replace($"m=video {serverMedia.LocalEndPoint.Port} ", $"m=video {relay.ClientFacing.Port} ", StringComparison.Ordinal));
        await connected.WaitAsync(TimeSpan.FromSeconds(20), ct).ConfigureAwait(false);

        var picture = I420Frame.Create(width, height);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < frames; i++)
        {
            Pattern(picture, i);
            ulong now = NtpTime.Now();
            server.SendFrame(picture, now);
            client.SendFrame(picture, now);
            long due = (long)((i + 1) * 1000.0 / fps);
            long wait = due - clock.ElapsedMilliseconds;
            if (wait > 0)
            {
                await Task.Delay((int)wait, ct).ConfigureAwait(false);
            }
        }

        relay.LossRate = 0;
        server.ForceKeyframe();
        client.ForceKeyframe();
        Pattern(picture, frames);
        ulong drainTime = NtpTime.Now();
        uint serverDrain = server.SendFrame(picture, drainTime);
        uint clientDrain = client.SendFrame(picture, drainTime);
        await Task.Delay(1000, ct).ConfigureAwait(false); // let retransmissions and the last frames land
        var s = server.GetStats();
        var c = client.GetStats();
        long serverMeasured, clientMeasured;
        bool drained;
        lock (serverDecoded)
        {
            lock (clientDecoded)
            {
                serverMeasured = serverDecoded.Count(ts => ts != clientDrain);
                clientMeasured = clientDecoded.Count(ts => ts != serverDrain);
                drained = serverDecoded.Contains(clientDrain) && clientDecoded.Contains(serverDrain);
            }
        }

        await client.DisposeAsync().ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        List<double> lat;
        lock (latencies)
        {
            lat = latencies.ToList();
        }

        return new LoopbackResult(frames, serverMeasured, clientMeasured, s.FramesLost + c.FramesLost,
            s.FramesRecovered + c.FramesRecovered, lat, s, c, relay.Dropped, serverLastY, clientLastY)
        {
            ServerSocketHandlerErrors = serverMedia.SocketHandlerErrors,
            ClientSocketHandlerErrors = clientMedia.SocketHandlerErrors,
            DrainKeyframesDecoded = drained,
        };
    }

    /// <summary>Left half luma 60, right half 190, a moving 16-pixel bar so frames differ; chroma neutral-ish.</summary>
    public static void Pattern(I420Frame f, int index)
    {
        for (int y = 0; y < f.Height; y++)
        {
            var row = f.Buffer.AsSpan(y * f.StrideY, f.Width);
            row[..(f.Width / 2)].Fill(60);
            row[(f.Width / 2)..].Fill(190);
            int bar = (index * 4) % Math.Max(1, f.Width / 2 - 16);
            row.Slice(f.Width / 2 + Math.Min(bar, f.Width / 2 - 16), 16).Fill(120);
        }

        f.U.Fill(100);
        f.V.Fill(150);
    }

    private static Task WaitConnected(RtcPeerConnection pc, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.ConnectionStateChanged += (_, s) =>
        {
            if (s == PeerConnectionState.Connected)
            {
                tcs.TrySetResult();
            }
            else if (s is PeerConnectionState.Failed or PeerConnectionState.Closed)
            {
                tcs.TrySetException(new InvalidOperationException($"Peer connection went {s} before connecting."));
            }
        };
        return tcs.Task.WaitAsync(ct);
    }
}
