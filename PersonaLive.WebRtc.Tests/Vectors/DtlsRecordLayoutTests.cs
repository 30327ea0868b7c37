using PersonaLive.WebRtc.Dtls;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RFC 6347 section 4.1 record headers: what is handed to BouncyCastle and what is dropped as malformed.</summary>
public sealed class DtlsRecordLayoutTests
{
    private static byte[] Record(byte type, byte minor, int fragment, int? claimedLength = null)
    {
        var r = new byte[13 + fragment];
        r[0] = type;
        r[1] = 254;
        r[2] = minor;
        r[11] = (byte)((claimedLength ?? fragment) >> 8);
        r[12] = (byte)(claimedLength ?? fragment);
        return r;
    }

    [Fact]
    public void Well_formed_records_and_flights_pass()
    {
        Assert.True(DtlsRecordLayout.IsWellFormed(Record(22, 255, 100))); // ClientHello record: DTLS 1.0 version
        Assert.True(DtlsRecordLayout.IsWellFormed(Record(23, 253, 0)));
        Assert.True(DtlsRecordLayout.IsWellFormed([.. Record(22, 253, 50), .. Record(20, 253, 1), .. Record(22, 253, 40)]));
    }

    [Theory]
    [InlineData(19, 253, 10, null)] // not a DTLS content type
    [InlineData(25, 253, 10, null)]
    [InlineData(22, 254, 10, null)] // not a DTLS version
    [InlineData(22, 253, 10, 11)]   // length runs past the datagram
    [InlineData(22, 253, 10, 9)]    // leaves a stray byte: not a whole record
    public void Malformed_records_are_rejected(byte type, byte minor, int fragment, int? claimed) =>
        Assert.False(DtlsRecordLayout.IsWellFormed(Record(type, minor, fragment, claimed)));

    [Fact]
    public void Short_or_trailing_garbage_is_rejected()
    {
        Assert.False(DtlsRecordLayout.IsWellFormed(Record(22, 253, 0).AsSpan(0, 12)));
        Assert.False(DtlsRecordLayout.IsWellFormed([.. Record(22, 253, 5), 22, 254, 253]));
        var ours = Record(22, 253, 5);
        ours[1] = 0xFE;
        ours[2] = 0x00;
        Assert.False(DtlsRecordLayout.IsWellFormed(ours));
    }
}
