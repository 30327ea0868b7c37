using PersonaLive.WebRtc.Codecs;

namespace PersonaLive.WebRtc.Rtp.H264;

/// <summary>
/// Splits an H.264 Annex B access unit into RTP payloads (RFC 6184). packetization-mode 0 (section 6.2)
/// allows only single NAL unit packets (section 5.6): every NAL must fit, so the encoder is told the
/// largest NAL size; a NAL that still does not fit is dropped and counted. packetization-mode 1
/// (section 6.3, non-interleaved) adds STAP-A (section 5.7.1), which we use to send consecutive small NAL
/// units (SPS, PPS, SEI) in one packet, and FU-A (section 5.8), which splits a large NAL into fragments
/// of near-equal size. The RTP marker goes on the last packet of the access unit (section 5.1).
/// </summary>
public sealed class H264Packetiser : IRtpPacketizer
{
    private readonly List<(int Offset, int Length)> _nals = [];

    public H264Packetiser(int packetizationMode, int maxPayloadSize = 1100)
    {
        if (packetizationMode is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(packetizationMode), "Only packetization-mode 0 and 1 are supported.");
        }

        if (maxPayloadSize < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPayloadSize));
        }

        PacketizationMode = packetizationMode;
        MaxPayloadSize = maxPayloadSize;
    }

    public int PacketizationMode { get; }

    public int MaxPayloadSize { get; }

    /// <summary>NAL units dropped in mode 0 because they were larger than <see cref="MaxPayloadSize"/>.</summary>
    public long OversizedNals { get; private set; }

    public void Packetize(ReadOnlySpan<byte> frame, Span<byte> scratch, RtpPayloadSink emit)
    {
        _nals.Clear();
        H264Nal.Split(frame, _nals);
        if (PacketizationMode == 0)
        {
            int before = _nals.Count;
            _nals.RemoveAll(n => n.Length > MaxPayloadSize);
            OversizedNals += before - _nals.Count;
        }

        int i = 0;
        while (i < _nals.Count)
        {
            var nal = frame.Slice(_nals[i].Offset, _nals[i].Length);
            int aggregated = PacketizationMode == 1 ? CountAggregatable(i) : 1;
            if (aggregated >= 2)
            {
                EmitStapA(frame, i, aggregated, scratch, emit);
                i += aggregated;
                continue;
            }

            bool last = i == _nals.Count - 1;
            if (nal.Length <= MaxPayloadSize)
            {
                emit(nal, last);
            }
            else
            {
                EmitFuA(nal, scratch, last, emit);
            }

            i++;
        }
    }

    /// <summary>How many NAL units from <paramref name="first"/> on fit together in one STAP-A.</summary>
    private int CountAggregatable(int first)
    {
        int size = 1;
        int count = 0;
        for (int i = first; i < _nals.Count; i++)
        {
            size += 2 + _nals[i].Length;
            if (size > MaxPayloadSize || _nals[i].Length > 0xFFFF)
            {
                break;
            }

            count++;
        }

        return count;
    }

    private void EmitStapA(ReadOnlySpan<byte> frame, int first, int count, Span<byte> scratch, RtpPayloadSink emit)
    {
        int nri = 0;
        int n = 1;
        for (int i = first; i < first + count; i++)
        {
            var nal = frame.Slice(_nals[i].Offset, _nals[i].Length);
            nri = Math.Max(nri, nal[0] & 0x60);
            scratch[n] = (byte)(nal.Length >> 8);
            scratch[n + 1] = (byte)nal.Length;
            nal.CopyTo(scratch[(n + 2)..]);
            n += 2 + nal.Length;
        }

        scratch[0] = (byte)(nri | H264Nal.StapA); // NRI: the highest of the aggregated units (section 5.7)
        emit(scratch[..n], first + count == _nals.Count);
    }

    private void EmitFuA(ReadOnlySpan<byte> nal, Span<byte> scratch, bool lastNal, RtpPayloadSink emit)
    {
        byte header = nal[0];
        var body = nal[1..];
        int room = MaxPayloadSize - 2;
        int packets = (body.Length + room - 1) / room;
        int chunk = (body.Length + packets - 1) / packets;
        int offset = 0;
        for (int p = 0; p < packets; p++)
        {
            int size = Math.Min(chunk, body.Length - offset);
            bool start = p == 0, end = p == packets - 1;
            scratch[0] = (byte)((header & 0xE0) | H264Nal.FuA);                          // FU indicator: F|NRI of the NAL
            scratch[1] = (byte)((start ? 0x80 : 0) | (end ? 0x40 : 0) | (header & 0x1F)); // FU header: S|E|R|type
            body.Slice(offset, size).CopyTo(scratch[2..]);
            emit(scratch[..(2 + size)], lastNal && end);
            offset += size;
        }
    }
}
