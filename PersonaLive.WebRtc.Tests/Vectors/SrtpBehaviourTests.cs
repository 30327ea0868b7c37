using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Srtp;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>SRTP round trips in both profiles across the sequence wrap, ROC estimation, replay window edges.</summary>
public sealed class SrtpBehaviourTests
{
    private static (SrtpContext Tx, SrtpContext Rx) Pair(SrtpProfile profile)
    {
        var key = new byte[16];
        var salt = new byte[SrtpProfileInfo.MasterSaltLength(profile)];
        Random.Shared.NextBytes(key);
        Random.Shared.NextBytes(salt);
        return (SrtpContext.Create(profile, key, salt), SrtpContext.Create(profile, key, salt));
    }

    private static int Rtp(byte[] buffer, ushort seq, byte fill)
    {
        RtpHeader.Write(buffer, false, 96, seq, 1234, 0xCAFEBABE);
        buffer.AsSpan(12, 100).Fill(fill);
        return 112;
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Packets_round_trip_across_the_sequence_wrap_with_reordering(SrtpProfile profile)
    {
        var (tx, rx) = Pair(profile);
        var protectedPackets = new List<byte[]>();
        for (int i = 0; i < 40; i++)
        {
            var b = new byte[200];
            int n = tx.ProtectRtp(b, Rtp(b, (ushort)(65520 + i), (byte)i));
            protectedPackets.Add(b.AsSpan(0, n).ToArray());
        }

        // swap neighbours around the wrap to exercise ROC guessing in both directions
        (protectedPackets[15], protectedPackets[16]) = (protectedPackets[16], protectedPackets[15]);
        foreach (var p in protectedPackets)
        {
            var b = p.ToArray();
            Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(b, b.Length, out int len));
            Assert.Equal(112, len);
            Assert.True(RtpHeader.TryParse(b.AsSpan(0, len), out var h));
            Assert.Equal((byte)((ushort)(h.SequenceNumber - 65520)), b[12]);
        }

        // replays are dropped
        var again = protectedPackets[30].ToArray();
        Assert.Equal(SrtpResult.Replayed, rx.UnprotectRtp(again, again.Length, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Tampering_fails_authentication_and_creates_no_state(SrtpProfile profile)
    {
        var (tx, rx) = Pair(profile);
        var b = new byte[200];
        int n = tx.ProtectRtp(b, Rtp(b, 10, 1));
        var intact = b.ToArray();
        b[20] ^= 1;
        Assert.Equal(SrtpResult.AuthenticationFailed, rx.UnprotectRtp(b, n, out _));
        // the forged packet left no replay state behind: the genuine one still passes
        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(intact, n, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtcp_round_trips_and_replays_are_dropped(SrtpProfile profile)
    {
        var (tx, rx) = Pair(profile);
        var b = new byte[100];
        int n = Rtcp.RtcpWriter.WritePli(b, 1, 2);
        n = tx.ProtectRtcp(b, n);
        var copy = b.AsSpan(0, n).ToArray();
        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtcp(b, n, out int len));
        Assert.Equal(12, len);
        Assert.Single(Rtcp.RtcpReport.Parse(b.AsSpan(0, len))!.PliMediaSsrcs);
        Assert.Equal(SrtpResult.Replayed, rx.UnprotectRtcp(copy, copy.Length, out _));
    }

    [Fact]
    public void Replay_window_edges()
    {
        var w = new ReplayWindow();
        w.Mark(5000);
        Assert.False(w.Check(5000));
        Assert.True(w.Check(5000 - ReplayWindow.Size + 1));
        Assert.False(w.Check(5000 - ReplayWindow.Size));
        Assert.True(w.Check(5001));
        w.Mark(5000 - 10);
        Assert.False(w.Check(5000 - 10));
        w.Mark(5000 + ReplayWindow.Size * 3);
        Assert.True(w.Check(5000 + ReplayWindow.Size * 3 - 1));
    }

    [Theory]
    [InlineData(0x0000FFF0UL, (ushort)0x0005, 0x00010005UL)] // wrapped forward
    [InlineData(0x00010005UL, (ushort)0xFFF0, 0x0000FFF0UL)] // late packet from before the wrap
    [InlineData(0x00010100UL, (ushort)0x0101, 0x00010101UL)]
    [InlineData(0x00000005UL, (ushort)0xFFF0, 0x0000FFF0UL)] // ROC cannot go below 0
    public void Roc_estimation_follows_rfc3711_appendix_a(ulong highest, ushort seq, ulong expected) =>
        Assert.Equal(expected, SrtpContext.EstimateIndex(highest, seq));
}

/// <summary>The SRTP hot path allocates nothing per packet.</summary>
public sealed class SrtpAllocationTests
{
    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Protect_and_unprotect_do_not_allocate(SrtpProfile profile)
    {
        var key = new byte[16];
        var salt = new byte[SrtpProfileInfo.MasterSaltLength(profile)];
        using var tx = SrtpContext.Create(profile, key, salt);
        using var rx = SrtpContext.Create(profile, key, salt);
        var buffer = new byte[1300];
        void RoundTrip(ushort seq)
        {
            RtpHeader.Write(buffer, false, 96, seq, 1, 7);
            int n = tx.ProtectRtp(buffer, 1200);
            if (rx.UnprotectRtp(buffer, n, out _) != SrtpResult.Ok)
            {
                throw new InvalidOperationException("round trip failed"); // not Assert: it would allocate
            }
        }

        for (ushort s = 0; s < 50; s++)
        {
            RoundTrip(s); // warm up: per-SSRC state is created once
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ushort s = 50; s < 1050; s++)
        {
            RoundTrip(s);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
