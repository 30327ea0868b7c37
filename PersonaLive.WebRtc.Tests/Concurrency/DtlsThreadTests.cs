using System.Diagnostics;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Concurrency;

/// <summary>
/// Threads per peer: DTLS handshakes (BouncyCastle blocks) run on a bounded pool, and no thread is kept
/// for a peer once it is connected.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class DtlsThreadTests
{
    private const int Peers = 12;
    private const int Slots = 2;

    [Fact]
    public async Task Many_peers_handshake_through_a_bounded_pool_and_hold_no_thread_once_connected()
    {
        using var logs = new TestLoggerFactory();
        await using var serverMedia = new RtcMediaServer(PeerPair.Options(o => o.MaxConcurrentDtlsHandshakes = Slots), logs);
        // Each client needs its own port (the server tells sessions apart by the remote address); their
        // sockets and receive threads exist before the count starts.
        var clientMedias = Enumerable.Range(0, Peers).Select(_ => new RtcMediaServer(PeerPair.Options(), logs)).ToList();
        int threadsBefore = Process.GetCurrentProcess().Threads.Count;
        var names = clientMedias.Select(m => m.HandshakePool.ThreadName).Append(serverMedia.HandshakePool.ThreadName).ToHashSet();
        int HandshakeThreads() => CountThreadsNamed(names);
        var pairs = new List<(RtcPeerConnection Server, RtcPeerConnection Client)>();
        foreach (var clientMedia in clientMedias)
        {
            var client = clientMedia.CreatePeerConnection();
            var server = serverMedia.CreatePeerConnection();
            client.SetAnswer(server.CreateAnswer(client.CreateOffer()));
            pairs.Add((server, client));
        }

        int seenHandshakeThreads = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                seenHandshakeThreads = Math.Max(seenHandshakeThreads, HandshakeThreads());
                await Task.Delay(5, CancellationToken.None);
            }
        }, TestContext.Current.CancellationToken);
        foreach (var (server, client) in pairs)
        {
            await PeerPair.WaitForState(server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(30));
            await PeerPair.WaitForState(client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(30));
        }

        await sampling.CancelAsync();
        await sampler;
        await WaitFor(() => HandshakeThreads() == 0);
        int threadsConnected = Process.GetCurrentProcess().Threads.Count;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"threads: {threadsBefore} before, {threadsConnected} with {Peers} connected pairs (other tests may run meanwhile); " +
            $"handshake threads seen at once {seenHandshakeThreads}; server pool peak {serverMedia.HandshakePool.Peak} of {Slots}");

        Assert.True(seenHandshakeThreads > 0, "no handshake thread was ever seen, so the count below proves nothing");
        Assert.Equal(0, HandshakeThreads()); // 12 live associations, no thread held for any of them
        Assert.InRange(serverMedia.HandshakePool.Peak, 1, Slots);
        Assert.Equal(Peers, serverMedia.HandshakePool.Completed);
        Assert.Equal(0, serverMedia.HandshakePool.Queued + serverMedia.HandshakePool.Running);

        foreach (var (server, client) in pairs)
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
        }

        foreach (var media in clientMedias)
        {
            await media.DisposeAsync();
        }
    }

    /// <summary>OS threads of this process with one of these names (Linux names them after the managed thread).</summary>
    private static int CountThreadsNamed(HashSet<string> names) => Directory.EnumerateDirectories("/proc/self/task").Count(task =>
    {
        try
        {
            return names.Contains(File.ReadAllText(Path.Combine(task, "comm")).Trim());
        }
        catch (IOException)
        {
            return false; // the thread ended while we looked
        }
    });

    private static async Task WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        Assert.True(condition());
    }
}
