using Org.BouncyCastle.Tls;
using PersonaLive.WebRtc.Dtls;
using Verdict = PersonaLive.WebRtc.Dtls.DtlsRecordAuthenticityFilter.Verdict;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>Which well-formed records may reach BouncyCastle (RFC 6347 section 4.1.2.7).</summary>
public sealed class DtlsRecordAuthenticityFilterTests
{
    private static readonly int Gcm = DtlsRecordAuthenticityFilter.MinimumProtectedLength(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);

    private static byte[] Record(byte type, int epoch, int fragment)
    {
        var r = new byte[13 + fragment];
        (r[0], r[1], r[2], r[3], r[4]) = (type, 254, 253, (byte)(epoch >> 8), (byte)epoch);
        (r[11], r[12]) = ((byte)(fragment >> 8), (byte)fragment);
        return r;
    }

    [Fact]
    public void Suites_have_their_aead_overhead()
    {
        Assert.Equal(24, Gcm);
        Assert.Equal(16, DtlsRecordAuthenticityFilter.MinimumProtectedLength(CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256));
        Assert.Equal(-1, DtlsRecordAuthenticityFilter.MinimumProtectedLength(-1));
    }

    [Theory]
    [InlineData(23, 1, 2, true, Verdict.TooShortToDecrypt)]  // the 15-byte record that used to end sessions
    [InlineData(21, 1, 23, true, Verdict.TooShortToDecrypt)]
    [InlineData(21, 1, 26, true, Verdict.None)]              // may be an authentic alert: BouncyCastle checks the tag
    [InlineData(23, 1, 24, true, Verdict.None)]
    [InlineData(21, 0, 2, true, Verdict.UnprotectedRecord)]  // plaintext alert after the handshake
    [InlineData(21, 0, 2, false, Verdict.None)]              // ...during it, the peer's genuine failure report
    [InlineData(23, 0, 40, false, Verdict.UnprotectedRecord)]
    [InlineData(22, 0, 40, true, Verdict.None)]              // a retransmitted flight
    [InlineData(20, 0, 1, true, Verdict.None)]
    [InlineData(23, 2, 40, true, Verdict.BadEpoch)]
    public void Records_are_judged_by_type_epoch_and_length(byte type, int epoch, int fragment, bool handshakeComplete, Verdict expected) =>
        Assert.Equal(expected, DtlsRecordAuthenticityFilter.Check(Record(type, epoch, fragment), handshakeComplete, Gcm));

    [Fact]
    public void Protected_records_before_a_suite_is_chosen_are_refused_and_one_bad_record_spoils_the_datagram()
    {
        Assert.Equal(Verdict.BadEpoch, DtlsRecordAuthenticityFilter.Check(Record(22, 1, 40), false, -1));
        Assert.Equal(Verdict.TooShortToDecrypt, DtlsRecordAuthenticityFilter.Check([.. Record(22, 0, 30), .. Record(22, 1, 3)], false, Gcm));
    }
}
