namespace PersonaLive.WebRtc.Ice;

/// <summary>STUN numbers used by ICE (RFC 8489 sections 5, 14, 18; RFC 8445 section 16).</summary>
public static class StunConstants
{
    public const uint MagicCookie = 0x2112A442;
    public const uint FingerprintXor = 0x5354554E;
    public const int HeaderLength = 20;

    public const ushort BindingRequest = 0x0001;
    public const ushort BindingSuccess = 0x0101;
    public const ushort BindingError = 0x0111;
    public const ushort BindingIndication = 0x0011;

    public const ushort AttrMappedAddress = 0x0001;
    public const ushort AttrUsername = 0x0006;
    public const ushort AttrMessageIntegrity = 0x0008;
    public const ushort AttrErrorCode = 0x0009;
    public const ushort AttrUnknownAttributes = 0x000A;
    public const ushort AttrXorMappedAddress = 0x0020;
    public const ushort AttrPriority = 0x0024;
    public const ushort AttrUseCandidate = 0x0025;
    public const ushort AttrSoftware = 0x8022;
    public const ushort AttrFingerprint = 0x8028;
    public const ushort AttrIceControlled = 0x8029;
    public const ushort AttrIceControlling = 0x802A;
}
