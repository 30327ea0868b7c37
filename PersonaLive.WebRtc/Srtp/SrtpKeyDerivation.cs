using System.Security.Cryptography;

namespace PersonaLive.WebRtc.Srtp;

/// <summary>
/// The SRTP key derivation function (RFC 3711 section 4.3.1/4.3.3) with key_derivation_rate 0: AES in
/// counter mode keyed with the master key over (master salt XOR label at byte 7) || block counter.
/// </summary>
public static class SrtpKeyDerivation
{
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    /// <summary>Fills <paramref name="output"/> with the derived key for <paramref name="label"/>.</summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterSalt.Length > 14)
        {
            throw new ArgumentException("The master salt has at most 14 bytes.", nameof(masterSalt));
        }

        using var aes = Aes.Create();
        aes.Key = masterKey.ToArray();
        int blocks = (output.Length + 15) / 16;
        var input = new byte[blocks * 16];
        for (int b = 0; b < blocks; b++)
        {
            var block = input.AsSpan(b * 16, 16);
            masterSalt.CopyTo(block);
            block[7] ^= label;
            block[14] = (byte)(b >> 8);
            block[15] = (byte)b;
        }

        var stream = aes.EncryptEcb(input, PaddingMode.None);
        stream.AsSpan(0, output.Length).CopyTo(output);
    }
}
