using System.Buffers.Binary;
using Org.BouncyCastle.Tls;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// Decides, before BouncyCastle sees a well-formed datagram, whether its records could possibly be
/// authentic. RFC 6347 section 4.1.2.7 says invalid records (bad epoch, too short to decrypt, failing
/// the MAC) are discarded silently; BouncyCastle does so only for a failing MAC and raises a fatal
/// decode_error for a protected record shorter than the cipher's nonce plus tag, and it acts on
/// plaintext (epoch 0) alerts after the handshake. Anyone who can put a datagram on the peer's
/// address could then end the association, so this filter drops:
/// <list type="bullet">
/// <item>application data at epoch 0 (never legitimate: RFC 6347 section 4.1 requires it protected);</item>
/// <item>alerts at epoch 0 once the handshake is complete (a plaintext alert is unauthenticated);</item>
/// <item>records of an epoch above 1 (we never renegotiate) and protected records before a cipher
/// suite is chosen;</item>
/// <item>protected records shorter than the negotiated AEAD's explicit nonce plus tag.</item>
/// </list>
/// Epoch 0 handshake and change_cipher_spec records stay allowed: a peer that missed our last flight
/// retransmits its own, and BouncyCastle answers it. Pure byte logic, no state of its own.
/// </summary>
public static class DtlsRecordAuthenticityFilter
{
    /// <summary>Why a datagram was refused, or <see cref="None"/>.</summary>
    public enum Verdict
    {
        /// <summary>Every record could be authentic; hand the datagram to DTLS.</summary>
        None,

        /// <summary>A plaintext record of a kind that must be protected at this point.</summary>
        UnprotectedRecord,

        /// <summary>An epoch we never use (above 1), or a protected record before a suite was chosen.</summary>
        BadEpoch,

        /// <summary>A protected record too short to hold the AEAD nonce and tag.</summary>
        TooShortToDecrypt,
    }

    /// <summary>
    /// Smallest protected fragment of a suite (explicit nonce + tag, RFC 5288 section 3 for GCM,
    /// RFC 7905 section 2 for ChaCha20-Poly1305), or -1 when the suite is unknown or none is chosen.
    /// </summary>
    public static int MinimumProtectedLength(int cipherSuite)
    {
        if (cipherSuite < 0)
        {
            return -1;
        }

        return TlsUtilities.GetEncryptionAlgorithm(cipherSuite) switch
        {
            EncryptionAlgorithm.AES_128_GCM or EncryptionAlgorithm.AES_256_GCM => 8 + 16,
            EncryptionAlgorithm.CHACHA20_POLY1305 => 16,
            _ => -1,
        };
    }

    /// <summary>
    /// Checks every record of a datagram that already passed <see cref="DtlsRecordLayout.IsWellFormed"/>.
    /// <paramref name="minimumProtectedLength"/> comes from <see cref="MinimumProtectedLength"/>.
    /// </summary>
    public static Verdict Check(ReadOnlySpan<byte> datagram, bool handshakeComplete, int minimumProtectedLength)
    {
        int offset = 0;
        while (offset + DtlsRecordLayout.HeaderLength <= datagram.Length)
        {
            var header = datagram[offset..];
            byte type = header[0];
            int epoch = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(header[11..]);
            var verdict = CheckRecord(type, epoch, length, handshakeComplete, minimumProtectedLength);
            if (verdict != Verdict.None)
            {
                return verdict;
            }

            offset += DtlsRecordLayout.HeaderLength + length;
        }

        return Verdict.None;
    }

    private static Verdict CheckRecord(byte type, int epoch, int length, bool handshakeComplete, int minimumProtectedLength)
    {
        if (epoch == 0)
        {
            bool unprotectedAllowed = type == ContentType.handshake || type == ContentType.change_cipher_spec
                || (type == ContentType.alert && !handshakeComplete);
            return unprotectedAllowed ? Verdict.None : Verdict.UnprotectedRecord;
        }

        if (epoch > 1 || minimumProtectedLength < 0)
        {
            return Verdict.BadEpoch;
        }

        return length < minimumProtectedLength ? Verdict.TooShortToDecrypt : Verdict.None;
    }
}
