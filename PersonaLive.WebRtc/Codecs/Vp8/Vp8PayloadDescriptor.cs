using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// The VP8 RTP payload descriptor (RFC 7741 section 4.2): X, N, S, PID and the optional PictureID
/// (7 or 15 bits), TL0PICIDX, TID/Y and KEYIDX. Every field read is bounds-checked.
/// </summary>
public readonly record struct Vp8PayloadDescriptor
{
    public bool NonReference { get; init; }
    public bool StartOfPartition { get; init; }
    public int PartitionId { get; init; }

    /// <summary>PictureID, or -1 when absent.</summary>
    public int PictureId { get; init; }

    /// <summary>True when the PictureID uses the 15-bit form (M bit set).</summary>
    public bool LongPictureId { get; init; }

    /// <summary>TL0PICIDX, or -1 when absent.</summary>
    public int Tl0PicIdx { get; init; }

    /// <summary>Temporal layer index, or -1 when absent.</summary>
    public int TemporalId { get; init; }

    public bool LayerSync { get; init; }

    /// <summary>KEYIDX, or -1 when absent.</summary>
    public int KeyIndex { get; init; }

    /// <summary>Descriptor size in bytes; the VP8 payload starts here.</summary>
    public int Length { get; init; }

    /// <summary>S=1 and PID=0: the first packet of a frame.</summary>
    public bool IsFrameStart => StartOfPartition && PartitionId == 0;

    /// <summary>Parses the descriptor at the start of an RTP payload; false when truncated or empty.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.Length < 1)
        {
            return false;
        }

        byte b0 = payload[0];
        int pos = 1;
        int pictureId = -1, tl0 = -1, tid = -1, keyIdx = -1;
        bool longId = false, sync = false;
        if ((b0 & 0x80) != 0)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            byte x = payload[1];
            pos = 2;
            if ((x & 0x80) != 0)
            {
                if (payload.Length < pos + 1)
                {
                    return false;
                }

                if ((payload[pos] & 0x80) != 0)
                {
                    if (payload.Length < pos + 2)
                    {
                        return false;
                    }

                    pictureId = BinaryPrimitives.ReadUInt16BigEndian(payload[pos..]) & 0x7FFF;
                    longId = true;
                    pos += 2;
                }
                else
                {
                    pictureId = payload[pos] & 0x7F;
                    pos += 1;
                }
            }

            if ((x & 0x40) != 0)
            {
                if (payload.Length < pos + 1)
                {
                    return false;
                }

                tl0 = payload[pos++];
            }

            if ((x & 0x30) != 0)
            {
                if (payload.Length < pos + 1)
                {
                    return false;
                }

                byte t = payload[pos++];
                if ((x & 0x20) != 0)
                {
                    tid = t >> 6;
                    sync = (t & 0x20) != 0;
                }

                if ((x & 0x10) != 0)
                {
                    keyIdx = t & 0x1F;
                }
            }
        }

        descriptor = new Vp8PayloadDescriptor
        {
            NonReference = (b0 & 0x20) != 0,
            StartOfPartition = (b0 & 0x10) != 0,
            PartitionId = b0 & 0x07,
            PictureId = pictureId,
            LongPictureId = longId,
            Tl0PicIdx = tl0,
            TemporalId = tid,
            LayerSync = sync,
            KeyIndex = keyIdx,
            Length = pos,
        };
        return true;
    }

    /// <summary>Writes the descriptor our packetizer uses: X=1, I=1, 15-bit PictureID. Returns 4.</summary>
    public static int WriteWithPictureId(Span<byte> buffer, bool startOfFrame, int pictureId)
    {
        buffer[0] = (byte)(0x80 | (startOfFrame ? 0x10 : 0));
        buffer[1] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)(0x8000 | (pictureId & 0x7FFF)));
        return 4;
    }

    /// <summary>
    /// Reads the VP8 frame header (RFC 6386 section 9.1) at the start of a frame: bit 0 of byte 0 is the
    /// inverse keyframe flag; keyframes carry start code 9d 01 2a then 14-bit width and height.
    /// </summary>
    public static bool TryReadKeyframeSize(ReadOnlySpan<byte> frame, out int width, out int height)
    {
        width = height = 0;
        if (frame.Length < 10 || (frame[0] & 1) != 0 || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a)
        {
            return false;
        }

        width = BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) & 0x3FFF;
        height = BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) & 0x3FFF;
        return true;
    }

    /// <summary>True when the frame starting with these bytes is a keyframe (P bit clear).</summary>
    public static bool IsKeyframe(ReadOnlySpan<byte> frameStart) => frameStart.Length > 0 && (frameStart[0] & 1) == 0;
}
