using System.Diagnostics;
using PersonaLive.Media;
using PersonaLive.Web.Live.Benchmarks;

namespace PersonaLive.TestSupport;

/// <summary>
/// The synthetic client (<see cref="SyntheticLiveClient"/>, our WebRTC stack in the browser's role) on the
/// client side of a <see cref="NetworkLab"/>, measuring what a viewer of its own output sees. It sends a
/// camera loop at a webcam's pace, each frame encoded by its own sender and numbered in the picture
/// (<see cref="FrameMarker"/>); it decodes the output and reads the number back. Glass to glass is the
/// time from handing a frame to the encoder to having its echo decoded (no display buffer: a browser
/// adds its jitter buffer and a vsync on top). The same measure works for any server that passes the
/// picture on (ours with the echo engine, or the aiortc echo peer), so the two compare as a ratio.
/// </summary>
internal sealed class LabClient : IAsyncDisposable
{
    private readonly SyntheticLiveClient _client;
    private readonly long[] _sentAt = new long[65536];

    private LabClient(SyntheticLiveClient client)
    {
        _client = client;
        client.Peer.FrameDecoded += (_, decoded) =>
        {
            Recording.AddOutputFrame();
            int number = FrameMarker.Read(decoded.Frame);
            long sent = number >= 0 ? Interlocked.Read(ref _sentAt[number]) : 0;
            if (sent != 0) Recording.AddGlassToGlass(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        };
        client.Peer.FrameAssembled += (_, frame) => Recording.AddBytes(frame.Data.Length);
    }

    /// <summary>What this client measured.</summary>
    public LabRecording Recording { get; } = new();

    /// <summary>The wrapped client (its peer connection, session id).</summary>
    public SyntheticLiveClient Client => _client;

    /// <summary>Connects with <paramref name="connect"/> (which places the client on a lab's client side) and starts recording.</summary>
    public static async Task<LabClient> ConnectAsync(Func<CancellationToken, Task<SyntheticLiveClient>> connect, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connect);
        return new LabClient(await connect(ct).ConfigureAwait(false));
    }

    /// <summary>How a lab client reaches our host: it offers from the lab's client namespace, <paramref name="answerer"/> answers.</summary>
    public static Func<CancellationToken, Task<SyntheticLiveClient>> Offering(NetworkLab lab, Func<string, CancellationToken, Task<(string SessionId, string Answer)>> answerer)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return ct => SyntheticLiveClient.ConnectAsync(answerer, ct, decodeOutput: true, bindAddress: lab.ClientAddress.ToString(), inNamespace: lab.ClientNamespace);
    }

    /// <summary>How a lab client reaches the aiortc echo peer: aiortc offers, the client answers from the lab's client namespace.</summary>
    public static Func<CancellationToken, Task<SyntheticLiveClient>> Answering(NetworkLab lab, AiortcEchoPeer aiortc)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(aiortc);
        return ct => aiortc.ConnectClientAsync(lab.ClientAddress.ToString(), lab.ClientNamespace, decodeOutput: true, ct);
    }

    /// <summary>
    /// Sends <paramref name="loop"/> round and round at <paramref name="fps"/>, each frame numbered, until
    /// cancelled. A camera does not queue frames it could not deliver: when encoding falls behind by more
    /// than a frame, the late frames are skipped.
    /// </summary>
    public async Task RunCameraAsync(IReadOnlyList<I420Frame> loop, int fps, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loop);
        using var frame = I420Frame.Create(loop[0].Width, loop[0].Height);
        var clock = Stopwatch.StartNew();
        await Task.Yield(); // the caller goes on at once
        try
        {
            long tick = 0;
            for (long i = 0; !ct.IsCancellationRequested; i++)
            {
                loop[(int)(i % loop.Count)].CopyTo(frame);
                int number = (int)(i & 0xFFFF);
                FrameMarker.Stamp(frame, number);
                Interlocked.Exchange(ref _sentAt[number], Stopwatch.GetTimestamp());
                _client.Send(frame);
                tick = Math.Max(tick + 1, (long)(clock.Elapsed.TotalSeconds * fps)); // skip the ticks missed
                var wait = TimeSpan.FromSeconds(tick / (double)fps) - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
                else await Task.Yield();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
