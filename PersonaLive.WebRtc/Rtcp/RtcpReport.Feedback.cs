using System.Buffers.Binary;
using PersonaLive.WebRtc.Rtcp.TransportCc;

namespace PersonaLive.WebRtc.Rtcp;

/// <summary>
/// The feedback messages of an RTCP datagram (RFC 4585 section 6): generic NACK and transport-cc
/// (RTPFB), PLI, FIR (RFC 5104 section 4.3.1) and REMB (PSFB application layer feedback).
/// </summary>
public sealed partial class RtcpReport
{
    private bool ReadTransportFeedback(ReadOnlySpan<byte> p, int fmt)
    {
        if (p.Length < 12)
        {
            return false;
        }

        if (fmt == RtcpTypes.FmtGenericNack)
        {
            if ((p.Length - 12) % 4 != 0)
            {
                return false;
            }

            for (int pos = 12; pos < p.Length; pos += 4)
            {
                ushort pid = BinaryPrimitives.ReadUInt16BigEndian(p[pos..]);
                ushort blp = BinaryPrimitives.ReadUInt16BigEndian(p[(pos + 2)..]);
                AddNack(pid);
                for (int bit = 0; bit < 16; bit++)
                {
                    if ((blp & (1 << bit)) != 0)
                    {
                        AddNack((ushort)(pid + bit + 1));
                    }
                }
            }
        }

        if (fmt == RtcpTypes.FmtTransportCc)
        {
            int before = TransportFeedbackPackets.Count;
            if (!TransportFeedbackParser.TryParse(p, TransportFeedbackPackets, out var header))
            {
                return false;
            }

            if (TransportFeedbackHeaders.Count >= MaxTransportFeedbacks)
            {
                TransportFeedbackPackets.RemoveRange(before, TransportFeedbackPackets.Count - before); // checked, not kept
                return true;
            }

            TransportFeedbackHeaders.Add(header);
        }

        return true; // others: not negotiated, skipped
    }

    private void AddNack(ushort seq)
    {
        if (NackedSequences.Count < MaxItems)
        {
            NackedSequences.Add(seq);
        }
    }

    private bool ReadPayloadFeedback(ReadOnlySpan<byte> p, int fmt)
    {
        if (p.Length < 12)
        {
            return false;
        }

        uint mediaSsrc = BinaryPrimitives.ReadUInt32BigEndian(p[8..]);
        switch (fmt)
        {
            case RtcpTypes.FmtPli:
                PliMediaSsrcs.Add(mediaSsrc);
                return true;
            case RtcpTypes.FmtFir:
                if ((p.Length - 12) % 8 != 0)
                {
                    return false;
                }

                for (int pos = 12; pos < p.Length; pos += 8)
                {
                    FirMediaSsrcs.Add(BinaryPrimitives.ReadUInt32BigEndian(p[pos..]));
                }

                return true;
            case RtcpTypes.FmtApplication:
                if (p.Length >= 20 && p[12] == 'R' && p[13] == 'E' && p[14] == 'M' && p[15] == 'B')
                {
                    int n = p[16];
                    if (p.Length < 20 + 4 * n)
                    {
                        return false;
                    }

                    int exponent = p[17] >> 2;
                    ulong mantissa = ((ulong)(p[17] & 3) << 16) | BinaryPrimitives.ReadUInt16BigEndian(p[18..]);
                    RembBitrate = exponent >= 46 ? ulong.MaxValue : mantissa << exponent;
                }

                return true;
            default:
                return true;
        }
    }
}
