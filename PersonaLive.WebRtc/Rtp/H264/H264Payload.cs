namespace PersonaLive.WebRtc.Rtp.H264;

/// <summary>What one RTP payload of an H.264 stream carries, as far as frame assembly cares.</summary>
public enum H264PayloadKind
{
    /// <summary>A single NAL unit packet (RFC 6184 section 5.6).</summary>
    Single,

    /// <summary>A STAP-A aggregation packet (section 5.7.1).</summary>
    StapA,

    /// <summary>The first fragment of a FU-A (S bit set, section 5.8).</summary>
    FuStart,

    /// <summary>A middle fragment of a FU-A.</summary>
    FuMiddle,

    /// <summary>The last fragment of a FU-A (E bit set).</summary>
    FuEnd,
}

/// <summary>
/// Parses and checks one H.264 RTP payload (RFC 6184 sections 5.2-5.8, packetization-mode 0 and 1) and
/// turns a run of payloads of one access unit back into an Annex B byte stream. Types of the interleaved
/// mode (STAP-B, MTAP, FU-B) and undefined types (0, 30, 31) are malformed for us; so is a STAP-A with
/// a zero or overlong size or trailing bytes, and a FU with both S and E set. Pure functions over spans.
/// </summary>
public static class H264Payload
{
    /// <summary>Validates one payload; <paramref name="nalTypes"/> gets a bit per NAL type it carries (1 &lt;&lt; type).</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out H264PayloadKind kind, out int nalTypes)
    {
        kind = H264PayloadKind.Single;
        nalTypes = 0;
        if (payload.IsEmpty)
        {
            return false;
        }

        int type = H264Nal.TypeOf(payload[0]);
        if (H264Nal.IsSingleNalType(type))
        {
            nalTypes = 1 << type;
            return true;
        }

        if (type == H264Nal.StapA)
        {
            kind = H264PayloadKind.StapA;
            int offset = 1;
            while (offset < payload.Length)
            {
                if (offset + 2 > payload.Length)
                {
                    return false;
                }

                int size = (payload[offset] << 8) | payload[offset + 1];
                offset += 2;
                if (size == 0 || offset + size > payload.Length || !H264Nal.IsSingleNalType(H264Nal.TypeOf(payload[offset])))
                {
                    return false;
                }

                nalTypes |= 1 << H264Nal.TypeOf(payload[offset]);
                offset += size;
            }

            return nalTypes != 0;
        }

        if (type == H264Nal.FuA)
        {
            if (payload.Length < 3)
            {
                return false;
            }

            byte fu = payload[1];
            bool start = (fu & 0x80) != 0, end = (fu & 0x40) != 0;
            int inner = H264Nal.TypeOf(fu);
            if ((start && end) || (fu & 0x20) != 0 || !H264Nal.IsSingleNalType(inner))
            {
                return false;
            }

            kind = start ? H264PayloadKind.FuStart : end ? H264PayloadKind.FuEnd : H264PayloadKind.FuMiddle;
            nalTypes = 1 << inner;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Appends the NAL units of an access unit's payloads (in sequence order, each already passed
    /// <see cref="TryParse"/>) to <paramref name="output"/> as Annex B. False when the fragments do not
    /// form whole NAL units (a FU without its start or end, or interrupted by another packet).
    /// </summary>
    public static bool TryAppendAnnexB(IReadOnlyList<byte[]> payloads, List<byte> output)
    {
        bool inFragment = false;
        int fragmentType = 0;
        foreach (byte[] payload in payloads)
        {
            if (!TryParse(payload, out var kind, out _))
            {
                return false;
            }

            switch (kind)
            {
                case H264PayloadKind.Single when !inFragment:
                    output.AddRange(H264Nal.StartCode);
                    output.AddRange(payload);
                    break;
                case H264PayloadKind.StapA when !inFragment:
                    for (int offset = 1; offset < payload.Length;)
                    {
                        int size = (payload[offset] << 8) | payload[offset + 1];
                        output.AddRange(H264Nal.StartCode);
                        output.AddRange(payload.AsSpan(offset + 2, size));
                        offset += 2 + size;
                    }

                    break;
                case H264PayloadKind.FuStart when !inFragment:
                    inFragment = true;
                    fragmentType = H264Nal.TypeOf(payload[1]);
                    output.AddRange(H264Nal.StartCode);
                    output.Add((byte)((payload[0] & 0xE0) | fragmentType)); // the NAL header: F|NRI from the indicator, type from the FU header
                    output.AddRange(payload.AsSpan(2));
                    break;
                case H264PayloadKind.FuMiddle or H264PayloadKind.FuEnd when inFragment && H264Nal.TypeOf(payload[1]) == fragmentType:
                    output.AddRange(payload.AsSpan(2));
                    inFragment = kind == H264PayloadKind.FuMiddle;
                    break;
                default:
                    return false;
            }
        }

        return !inFragment;
    }
}
