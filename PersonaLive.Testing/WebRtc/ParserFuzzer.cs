using System.Net;
using System.Text;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Rtp.H264;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Srtp;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.Diagnostics;

/// <summary>
/// Feeds one input to every wire parser (demux, STUN, RTP, RTCP, SRTP/SRTCP unprotect, VP8 descriptor
/// and frame assembly, H.264 payloads and access-unit assembly, SDP) and checks the contract: a parser may reject, never throw anything but its
/// own documented error. Used by the property tests (bounded) and the long-running fuzz benchmark.
/// </summary>
public static class ParserFuzzer
{
    private static readonly byte[] Key = new byte[16];
    private static readonly byte[] Salt = new byte[14];

    /// <summary>Runs every parser on <paramref name="input"/>; throws only when a parser broke its contract.</summary>
    public static void Exercise(ReadOnlySpan<byte> input)
    {
        PacketClassifier.Classify(input);
        DtlsRecordLayout.IsWellFormed(input);
        if (StunMessage.TryParse(input, out var stun))
        {
            stun!.VerifyFingerprint();
            stun.VerifyIntegrity("password"u8);
            _ = stun.XorMappedAddress;
            _ = stun.Username;
            _ = stun.Priority;
            _ = stun.ErrorCode;
            stun.UnknownComprehensionRequired();
            new IceLiteResponder("abcd", "0123456789abcdefghijkl").Process(stun, new IPEndPoint(IPAddress.Loopback, 5000));
        }

        if (RtpHeader.TryParse(input, out var rtp))
        {
            rtp.TryGetPayload(input, out _);
            rtp.TryGetExtension(input, 1, out _);
            rtp.TryGetExtension(input, 3, out _);
        }

        RtcpReport.Parse(input);
        Rtcp.TransportCc.TransportFeedbackParser.Parse(input);
        Vp8PayloadDescriptor.TryParse(input, out _);
        Vp8PayloadDescriptor.TryReadKeyframeSize(input, out _, out _);
        var assembler = new Vp8FrameAssembler();
        var frames = new List<AssembledFrame>();
        if (input.Length > 4)
        {
            ushort seq = (ushort)(input[0] | (input[1] << 8));
            assembler.Insert(seq, 1, (input[2] & 1) != 0, input[3..], false, 0, frames);
            assembler.Insert((ushort)(seq + 1), 1, true, input[4..], false, 0, frames);
            assembler.Poll(10_000, frames);
        }

        H264Payload.TryParse(input, out _, out _);
        var h264 = new H264AccessUnitAssembler();
        if (input.Length > 4)
        {
            ushort seq = (ushort)(input[0] | (input[1] << 8));
            h264.Insert(seq, 1, (input[2] & 1) != 0, input[3..], false, 0, frames);
            h264.Insert((ushort)(seq + 1), 1, true, input[4..], false, 0, frames);
            h264.Poll(10_000, frames);
        }

        foreach (var profile in new[] { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm })
        {
            using var context = SrtpContext.Create(profile, Key, Salt.AsSpan(0, SrtpProfileInfo.MasterSaltLength(profile)));
            var copy = input.ToArray();
            context.UnprotectRtp(copy, copy.Length, out _);
            copy = input.ToArray();
            context.UnprotectRtcp(copy, copy.Length, out _);
        }

        string text = Encoding.UTF8.GetString(input);
        try
        {
            SdpDescription.Parse(text);
        }
        catch (SdpException)
        {
        }
    }

    /// <summary>Exercises SDP negotiation with a (possibly hostile) offer; only <see cref="SdpException"/> may escape.</summary>
    public static void ExerciseSdp(string offer)
    {
        try
        {
            SdpNegotiation.CreateAnswer(offer, new LocalMediaParameters("abcd", "0123456789abcdefghijkl", "00:11",
                [new IPEndPoint(IPAddress.Loopback, 9)], 1, "c", "s", "t"));
        }
        catch (SdpException)
        {
        }
    }

    /// <summary>Random mutation of a seed: bit flips, byte overwrites, truncation, extension, or pure noise.</summary>
    public static byte[] Mutate(byte[] seed, Random random)
    {
        var data = seed.ToArray();
        switch (random.Next(5))
        {
            case 0:
                for (int i = 0, n = random.Next(1, 8); i < n && data.Length > 0; i++)
                {
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                }

                return data;
            case 1:
                for (int i = 0, n = random.Next(1, 8); i < n && data.Length > 0; i++)
                {
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                }

                return data;
            case 2:
                return data[..random.Next(data.Length + 1)];
            case 3:
                var longer = new byte[data.Length + random.Next(1, 64)];
                data.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(data.Length));
                return longer;
            default:
                var noise = new byte[random.Next(0, 1500)];
                random.NextBytes(noise);
                return noise;
        }
    }
}
