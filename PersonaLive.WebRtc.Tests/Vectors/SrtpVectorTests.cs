using System.Security.Cryptography;
using PersonaLive.WebRtc.Srtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RFC 3711 Appendix B (AES-CM keystream, key derivation) and RFC 7714 sections 16.1/17.1 (GCM).</summary>
public sealed class SrtpVectorTests
{
    private static readonly Dictionary<string, string> Cm = TestData.KeyValues("srtp-rfc3711.txt");
    private static readonly Dictionary<string, string> Gcm = TestData.KeyValues("srtp-rfc7714.txt");

    [Fact]
    public void Key_derivation_matches_rfc3711_b3()
    {
        var key = TestData.Hex(Cm["kdf_master_key"]);
        var salt = TestData.Hex(Cm["kdf_master_salt"]);
        var k = new byte[16];
        var s = new byte[14];
        var a = new byte[20];
        SrtpKeyDerivation.Derive(key, salt, SrtpKeyDerivation.RtpEncryption, k);
        SrtpKeyDerivation.Derive(key, salt, SrtpKeyDerivation.RtpSalt, s);
        SrtpKeyDerivation.Derive(key, salt, SrtpKeyDerivation.RtpAuthentication, a);
        Assert.Equal(Cm["kdf_cipher_key"], Convert.ToHexString(k));
        Assert.Equal(Cm["kdf_cipher_salt"], Convert.ToHexString(s));
        Assert.Equal(Cm["kdf_auth_key"], Convert.ToHexString(a));
    }

    [Fact]
    public void Aes_cm_keystream_matches_rfc3711_b2()
    {
        // SSRC 0 and index 0 leave the salt as the IV, so encrypting zeros yields the keystream.
        using var t = new SrtpTransform(SrtpProfile.AesCm128HmacSha1_80, TestData.Hex(Cm["cm_key"]), TestData.Hex(Cm["cm_salt"]), new byte[20]);
        var stream = new byte[16 * 0xFF02];
        t.ApplyCounterMode(0, 0, stream);
        Assert.Equal(Cm["cm_block_0000"], Convert.ToHexString(stream, 0, 16));
        Assert.Equal(Cm["cm_block_0001"], Convert.ToHexString(stream, 16, 16));
        Assert.Equal(Cm["cm_block_0002"], Convert.ToHexString(stream, 32, 16));
        Assert.Equal(Cm["cm_block_feff"], Convert.ToHexString(stream, 16 * 0xFEFF, 16));
        Assert.Equal(Cm["cm_block_ff00"], Convert.ToHexString(stream, 16 * 0xFF00, 16));
        Assert.Equal(Cm["cm_block_ff01"], Convert.ToHexString(stream, 16 * 0xFF01, 16));
    }

    private static SrtpContext GcmContext()
    {
        var key = TestData.Hex(Gcm["key"]);
        var salt = TestData.Hex(Gcm["salt"]);
        return new SrtpContext(new SrtpTransform(SrtpProfile.AeadAes128Gcm, key, salt, default),
            new SrtpTransform(SrtpProfile.AeadAes128Gcm, key, salt, default));
    }

    [Fact]
    public void Gcm_rtp_matches_rfc7714_16_1()
    {
        var plain = TestData.Hex(Gcm["rtp_plain"]);
        var expected = Gcm["rtp_protected"].ToUpperInvariant();
        using var tx = GcmContext();
        var buffer = new byte[plain.Length + 16];
        plain.CopyTo(buffer, 0);
        int n = tx.ProtectRtp(buffer, plain.Length, roc: 0);
        Assert.Equal(expected, Convert.ToHexString(buffer, 0, n));

        using var rx = GcmContext();
        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(buffer, n, out int plainLength));
        Assert.Equal(Convert.ToHexString(plain), Convert.ToHexString(buffer, 0, plainLength));
    }

    [Fact]
    public void Gcm_rtcp_matches_rfc7714_17_1()
    {
        var plain = TestData.Hex(Gcm["rtcp_plain"]);
        uint index = Convert.ToUInt32(Gcm["rtcp_index"], 16);
        using var tx = GcmContext();
        var buffer = new byte[plain.Length + 20];
        plain.CopyTo(buffer, 0);
        int n = tx.ProtectRtcp(buffer, plain.Length, index);
        Assert.Equal(Gcm["rtcp_protected"].ToUpperInvariant(), Convert.ToHexString(buffer, 0, n));

        using var rx = GcmContext();
        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtcp(buffer, n, out int plainLength));
        Assert.Equal(Convert.ToHexString(plain), Convert.ToHexString(buffer, 0, plainLength));
    }
}
