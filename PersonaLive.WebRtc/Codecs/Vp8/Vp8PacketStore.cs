using System.Buffers;

namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>One buffered VP8 RTP payload (descriptor stripped) in a <see cref="Vp8PacketStore"/>.</summary>
internal readonly record struct Vp8StoredPacket(
    uint Timestamp, bool Marker, bool FrameStart, byte[] Buffer, int Length, bool Retransmitted, bool IsPadding,
    int PictureId, bool LongPictureId);

/// <summary>Outcome of trying to cut the next frame out of a <see cref="Vp8PacketStore"/>.</summary>
internal enum FrameTakeResult { Complete, Incomplete, Broken }

/// <summary>
/// The packets of a <see cref="Vp8FrameAssembler"/>, ordered by unwrapped sequence number, and the
/// byte-level work on them: range queries, gap listing for NACK (RFC 4585 section 6.2.1) and cutting a
/// frame (RFC 7741 section 4.5: from a packet with S=1, PID=0 to the RTP marker, one timestamp).
/// Payload copies live in pooled buffers and the index in a <see cref="SortedList{TKey,TValue}"/>
/// (arrays; in-order inserts append), so buffering a packet does not allocate in steady state.
/// </summary>
internal sealed class Vp8PacketStore
{
    private readonly SortedList<long, Vp8StoredPacket> _packets = new(256);
    private readonly int _maxFrameBytes;
    private readonly int _maxPacketsPerFrame;

    public Vp8PacketStore(int maxFrameBytes, int maxPacketsPerFrame)
    {
        _maxFrameBytes = maxFrameBytes;
        _maxPacketsPerFrame = maxPacketsPerFrame;
    }

    public int Count => _packets.Count;

    public long Lowest => _packets.Keys[0];

    public long Highest => _packets.Keys[_packets.Count - 1];

    public bool Contains(long seq) => _packets.ContainsKey(seq);

    public bool TryGet(long seq, out Vp8StoredPacket packet) => _packets.TryGetValue(seq, out packet);

    /// <summary>Stores a copy of <paramref name="payload"/> (the VP8 bytes after the descriptor).</summary>
    public void Add(long seq, uint timestamp, bool marker, bool frameStart, ReadOnlySpan<byte> payload, bool retransmitted,
        bool isPadding, int pictureId, bool longPictureId)
    {
        byte[] buffer = payload.IsEmpty ? [] : ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(buffer);
        _packets.Add(seq, new Vp8StoredPacket(timestamp, marker, frameStart, buffer, payload.Length, retransmitted, isPadding, pictureId, longPictureId));
    }

    public void Remove(long seq)
    {
        int index = _packets.IndexOfKey(seq);
        if (index >= 0)
        {
            Release(_packets.Values[index]);
            _packets.RemoveAt(index);
        }
    }

    /// <summary>Drops every packet below <paramref name="seq"/>.</summary>
    public void RemoveBelow(long seq)
    {
        while (_packets.Count > 0 && _packets.Keys[0] < seq)
        {
            Release(_packets.Values[0]);
            _packets.RemoveAt(0);
        }
    }

    public void Clear() => RemoveBelow(long.MaxValue);

    /// <summary>The first packet at or after <paramref name="from"/> that starts a frame (a keyframe if asked); -1 when none.</summary>
    public long FirstFrameStartAtOrAfter(long from, bool keyframe = false)
    {
        var keys = _packets.Keys;
        var values = _packets.Values;
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] >= from && values[i].FrameStart && (!keyframe || IsKeyframeStart(values[i])))
            {
                return keys[i];
            }
        }

        return -1;
    }

    /// <summary>Appends the sequence numbers missing between <paramref name="from"/> and the highest buffered one.</summary>
    public void CollectMissing(long from, List<ushort> missing, int max)
    {
        if (_packets.Count == 0)
        {
            return;
        }

        long highest = Highest;
        for (long s = from; s < highest && missing.Count < max; s++)
        {
            if (!_packets.ContainsKey(s))
            {
                missing.Add((ushort)s);
            }
        }
    }

    /// <summary>
    /// Cuts the frame starting at <paramref name="start"/> out of the store when all its packets are here;
    /// <paramref name="next"/> is the sequence number after it.
    /// </summary>
    public FrameTakeResult TryTake(long start, out AssembledFrame? frame, out Vp8StoredPacket first, out long next)
    {
        frame = null;
        next = start;
        if (!_packets.TryGetValue(start, out first))
        {
            return FrameTakeResult.Incomplete;
        }

        if (!first.FrameStart)
        {
            return FrameTakeResult.Broken;
        }

        long seq = start;
        int total = 0;
        bool recovered = false;
        while (true)
        {
            if (!_packets.TryGetValue(seq, out var p))
            {
                return FrameTakeResult.Incomplete;
            }

            if (p.Timestamp != first.Timestamp || (seq != start && p.FrameStart))
            {
                return FrameTakeResult.Broken;
            }

            total += p.Length;
            recovered |= p.Retransmitted;
            if (total > _maxFrameBytes || seq - start >= _maxPacketsPerFrame)
            {
                return FrameTakeResult.Broken;
            }

            if (p.Marker)
            {
                break;
            }

            seq++;
        }

        var data = ArrayPool<byte>.Shared.Rent(Math.Max(1, total));
        int offset = 0;
        for (long s = start; s <= seq; s++)
        {
            int index = _packets.IndexOfKey(s);
            var p = _packets.Values[index];
            p.Buffer.AsSpan(0, p.Length).CopyTo(data.AsSpan(offset));
            offset += p.Length;
            Release(p);
            _packets.RemoveAt(index);
        }

        frame = AssembledFrame.FromPooled(data, total, first.Timestamp, Vp8PayloadDescriptor.IsKeyframe(data.AsSpan(0, total)), recovered, start);
        next = seq + 1;
        return FrameTakeResult.Complete;
    }

    /// <summary>The first payload byte of a frame carries the VP8 frame tag; P bit clear = keyframe (RFC 6386 section 9.1).</summary>
    public static bool IsKeyframeStart(in Vp8StoredPacket packet) => packet.FrameStart && packet.Length > 0 && (packet.Buffer[0] & 0x01) == 0;

    private static void Release(in Vp8StoredPacket packet)
    {
        if (packet.Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(packet.Buffer);
        }
    }
}
