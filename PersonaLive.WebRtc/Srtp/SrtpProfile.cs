namespace PersonaLive.WebRtc.Srtp;

/// <summary>SRTP protection profiles negotiated through DTLS use_srtp (RFC 5764 section 4.1.2, RFC 7714 section 14.2).</summary>
public enum SrtpProfile
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80 (0x0001): mandatory to implement.</summary>
    AesCm128HmacSha1_80 = 0x0001,
    /// <summary>SRTP_AEAD_AES_128_GCM (0x0007): preferred when offered.</summary>
    AeadAes128Gcm = 0x0007,
}

/// <summary>Key, salt and tag sizes of each profile.</summary>
public static class SrtpProfileInfo
{
    public static int MasterKeyLength(SrtpProfile profile) => 16;

    public static int MasterSaltLength(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 12 : 14;

    /// <summary>Bytes appended to an RTP packet by protection (auth tag or AEAD tag).</summary>
    public static int RtpTrailerLength(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 16 : 10;

    /// <summary>Bytes appended to an RTCP packet (E|index word plus tag).</summary>
    public static int RtcpTrailerLength(SrtpProfile profile) => RtpTrailerLength(profile) + 4;

    /// <summary>Length of the DTLS keying-material export: 2 * (key + salt) (RFC 5764 section 4.2).</summary>
    public static int KeyingMaterialLength(SrtpProfile profile) => 2 * (MasterKeyLength(profile) + MasterSaltLength(profile));
}
