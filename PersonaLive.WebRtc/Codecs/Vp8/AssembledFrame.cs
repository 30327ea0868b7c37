using System.Buffers;

namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// An encoded VP8 frame reassembled from RTP packets by <see cref="Vp8FrameAssembler"/>: the VP8
/// bitstream without payload descriptors, its RTP timestamp, whether it is a keyframe (RFC 6386 section
/// 9.1, P bit clear), whether a NACK retransmission completed it, and its first sequence number.
/// The bytes live in a pooled array so that reassembly makes no garbage per frame; whoever consumes the
/// frame last (the peer connection's decode loop) calls <see cref="Release"/>, after which
/// <see cref="Data"/> is empty. A frame never released is simply collected.
/// </summary>
public sealed class AssembledFrame
{
    private byte[]? _buffer;
    private readonly int _length;

    internal AssembledFrame(byte[] pooledBuffer, int length, uint rtpTimestamp, bool isKeyframe, bool recovered, long firstSequence)
    {
        _buffer = pooledBuffer;
        _length = length;
        RtpTimestamp = rtpTimestamp;
        IsKeyframe = isKeyframe;
        Recovered = recovered;
        FirstSequence = firstSequence;
    }

    /// <summary>The VP8 bitstream (empty once released).</summary>
    public ReadOnlySpan<byte> Data => _buffer is { } b ? b.AsSpan(0, _length) : default;

    public uint RtpTimestamp { get; }
    public bool IsKeyframe { get; }
    public bool Recovered { get; }
    public long FirstSequence { get; }

    /// <summary>Gives the bytes back to the pool (idempotent).</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { Length: > 0 } b)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
