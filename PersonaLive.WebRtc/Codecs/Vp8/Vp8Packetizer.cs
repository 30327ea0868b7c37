namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// Splits an encoded VP8 frame into RTP payloads (RFC 7741 section 4): each payload carries our
/// descriptor (X=1, I=1, 15-bit PictureID that increments per frame) and a chunk of the frame; chunks
/// are of near-equal size so that no payload exceeds <see cref="MaxPayloadSize"/>.
/// </summary>
public sealed class Vp8Packetizer
{
    private int _pictureId;

    public Vp8Packetizer(int maxPayloadSize = 1100, int? initialPictureId = null)
    {
        if (maxPayloadSize < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPayloadSize));
        }

        MaxPayloadSize = maxPayloadSize;
        _pictureId = initialPictureId ?? Random.Shared.Next(0, 0x8000);
    }

    public int MaxPayloadSize { get; }

    /// <summary>PictureID the next frame will carry.</summary>
    public int NextPictureId => _pictureId;

    /// <summary>
    /// Packetizes one frame, calling <paramref name="emit"/> once per payload with the payload bytes and
    /// whether it is the frame's last packet (the RTP marker).
    /// </summary>
    public void Packetize(ReadOnlySpan<byte> frame, Span<byte> scratch, PayloadSink emit)
    {
        if (frame.IsEmpty)
        {
            return;
        }

        const int descriptorLength = 4;
        int room = MaxPayloadSize - descriptorLength;
        int packets = (frame.Length + room - 1) / room;
        int chunk = (frame.Length + packets - 1) / packets;
        int offset = 0;
        for (int i = 0; i < packets; i++)
        {
            int size = Math.Min(chunk, frame.Length - offset);
            int n = Vp8PayloadDescriptor.WriteWithPictureId(scratch, i == 0, _pictureId);
            frame.Slice(offset, size).CopyTo(scratch[n..]);
            emit(scratch[..(n + size)], i == packets - 1);
            offset += size;
        }

        _pictureId = (_pictureId + 1) & 0x7FFF;
    }

    /// <summary>Receives one RTP payload.</summary>
    public delegate void PayloadSink(ReadOnlySpan<byte> payload, bool marker);
}
