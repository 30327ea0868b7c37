using PersonaLive.WebRtc.Srtp;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// SRTP master keys exported from DTLS (RFC 5764 section 4.2): the block is
/// client_key | server_key | client_salt | server_salt; the DTLS server sends with the server half.
/// </summary>
public sealed record SrtpKeyingMaterial(SrtpProfile Profile, byte[] LocalKey, byte[] LocalSalt, byte[] RemoteKey, byte[] RemoteSalt)
{
    public static SrtpKeyingMaterial Split(SrtpProfile profile, byte[] block, bool isServer)
    {
        int k = SrtpProfileInfo.MasterKeyLength(profile);
        int s = SrtpProfileInfo.MasterSaltLength(profile);
        if (block.Length != 2 * (k + s))
        {
            throw new ArgumentException("Keying material has the wrong length.", nameof(block));
        }

        byte[] clientKey = block[..k], serverKey = block[k..(2 * k)];
        byte[] clientSalt = block[(2 * k)..(2 * k + s)], serverSalt = block[(2 * k + s)..];
        return isServer
            ? new SrtpKeyingMaterial(profile, serverKey, serverSalt, clientKey, clientSalt)
            : new SrtpKeyingMaterial(profile, clientKey, clientSalt, serverKey, serverSalt);
    }

    /// <summary>This side's DTLS record keys of the same handshake (<see cref="DtlsWriteKeys"/>), for tests that speak as this side.</summary>
    public DtlsWriteKeys? LocalRecordKeys { get; init; }

    public SrtpContext CreateOutbound() => SrtpContext.Create(Profile, LocalKey, LocalSalt);

    public SrtpContext CreateInbound() => SrtpContext.Create(Profile, RemoteKey, RemoteSalt);
}
