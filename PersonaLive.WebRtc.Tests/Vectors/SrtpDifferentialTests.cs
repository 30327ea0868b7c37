using PersonaLive.TestSupport;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Srtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>Our SRTP/SRTCP against libsrtp2 in both directions, both profiles, across the sequence wrap.</summary>
public sealed class SrtpDifferentialTests
{
    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Ours_and_libsrtp_understand_each_other(SrtpProfile profile)
    {
        if (!LibSrtp.Available())
        {
            Prerequisite.Missing("libsrtp2.so.1 is not installed (apt-get install libsrtp2-1).");
        }

        var random = new Random((int)profile);
        var key = new byte[16];
        var salt = new byte[SrtpProfileInfo.MasterSaltLength(profile)];
        random.NextBytes(key);
        random.NextBytes(salt);
        bool gcm = profile == SrtpProfile.AeadAes128Gcm;
        using var ours = SrtpContext.Create(profile, key, salt);
        using var oursIn = SrtpContext.Create(profile, key, salt);
        using var theirsIn = new LibSrtp.Session(gcm, [.. key, .. salt], inbound: true);
        using var theirsOut = new LibSrtp.Session(gcm, [.. key, .. salt], inbound: false);
        for (int i = 0; i < 300; i++)
        {
            ushort seq = (ushort)(65400 + i);
            int payload = random.Next(1, 1200);
            var plain = new byte[12 + payload + 200];
            RtpHeader.Write(plain, i % 5 == 0, 96, seq, (uint)(i * 3000), 0xABCD0001);
            random.NextBytes(plain.AsSpan(12, payload));
            int length = 12 + payload;

            var a = plain.ToArray();
            int n = ours.ProtectRtp(a, length);
            Assert.Equal(length, theirsIn.Unprotect(a, n, rtcp: false));
            Assert.Equal(plain.AsSpan(0, length).ToArray(), a.AsSpan(0, length).ToArray());

            var b = plain.ToArray();
            int m = theirsOut.Protect(b, length, rtcp: false);
            Assert.Equal(SrtpResult.Ok, oursIn.UnprotectRtp(b, m, out int back));
            Assert.Equal(plain.AsSpan(0, length).ToArray(), b.AsSpan(0, back).ToArray());

            if (i % 10 == 0)
            {
                var rtcp = new byte[200];
                int r = RtcpWriter.WriteReceiverReport(rtcp, 0xABCD0002, [new ReportBlock(1, 2, 3, 4, 5, 6, 7)]);
                r += RtcpWriter.WriteSdesCname(rtcp.AsSpan(r), 0xABCD0002, "differential");
                var expected = rtcp.AsSpan(0, r).ToArray();
                var c = rtcp.ToArray();
                int cn = ours.ProtectRtcp(c, r);
                Assert.Equal(r, theirsIn.Unprotect(c, cn, rtcp: true));
                Assert.Equal(expected, c.AsSpan(0, r).ToArray());
                var d = rtcp.ToArray();
                int dn = theirsOut.Protect(d, r, rtcp: true);
                Assert.Equal(SrtpResult.Ok, oursIn.UnprotectRtcp(d, dn, out int dBack));
                Assert.Equal(expected, d.AsSpan(0, dBack).ToArray());
            }
        }
    }
}
