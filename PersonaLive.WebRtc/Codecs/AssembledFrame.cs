using System.Buffers;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// One encoded frame reassembled from RTP packets by a codec's <see cref="IRtpFrameAssembler"/>: the
/// codec bitstream without payload headers, its RTP timestamp, whether it is a keyframe (it decodes on
/// its own), whether a NACK retransmission completed it, and its first sequence number.
/// </summary>
/// <remarks>
/// Assemblers put the bytes in an array rented from <see cref="ArrayPool{T}.Shared"/>
/// (<see cref="FromPooled"/>) so that reassembly makes no garbage per frame. Whoever consumes the frame
/// last (the receiver's decode loop, or the assembler itself when it discards a frame) calls
/// <see cref="Release"/>; after that <see cref="Data"/> is empty, so a <c>FrameAssembled</c> subscriber
/// reads it during the event only. A frame built over a caller's array (the public constructor: tests,
/// tools) never returns it to a pool; a pooled frame never released is simply collected.
/// </remarks>
public sealed class AssembledFrame
{
    private readonly bool _pooled;
    private readonly int _length;
    private byte[]? _buffer;

    /// <summary>A frame over <paramref name="data"/> (not pooled; <see cref="Release"/> only empties it).</summary>
    public AssembledFrame(byte[] data, uint rtpTimestamp, bool isKeyframe, bool recovered, long firstSequence)
        : this(data ?? throw new ArgumentNullException(nameof(data)), data.Length, rtpTimestamp, isKeyframe, recovered, firstSequence, pooled: false)
    {
    }

    private AssembledFrame(byte[] buffer, int length, uint rtpTimestamp, bool isKeyframe, bool recovered, long firstSequence, bool pooled)
    {
        _buffer = buffer;
        _length = length;
        _pooled = pooled;
        RtpTimestamp = rtpTimestamp;
        IsKeyframe = isKeyframe;
        Recovered = recovered;
        FirstSequence = firstSequence;
    }

    /// <summary>The bitstream (empty once released).</summary>
    public ReadOnlySpan<byte> Data => _buffer is { } b ? b.AsSpan(0, _length) : default;

    public uint RtpTimestamp { get; }

    public bool IsKeyframe { get; }

    public bool Recovered { get; }

    public long FirstSequence { get; }

    /// <summary>
    /// A frame over the first <paramref name="length"/> bytes of <paramref name="rented"/>, an array from
    /// <see cref="ArrayPool{T}.Shared"/> that the frame now owns and returns on <see cref="Release"/>.
    /// </summary>
    internal static AssembledFrame FromPooled(byte[] rented, int length, uint rtpTimestamp, bool isKeyframe, bool recovered, long firstSequence)
    {
        ArgumentNullException.ThrowIfNull(rented);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)rented.Length, nameof(length));
        return new AssembledFrame(rented, length, rtpTimestamp, isKeyframe, recovered, firstSequence, pooled: true);
    }

    /// <summary>Gives the bytes back to the pool (idempotent, any thread).</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } b && _pooled)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
