namespace PersonaLive.WebRtc.Rtp;

/// <summary>
/// The last 1024 plaintext RTP packets we sent, indexed by sequence number, so NACKed packets can be
/// re-protected and resent (RFC 4585 section 6.2.1; without RTX the same SRTP index yields the same
/// ciphertext). Slots are preallocated; storing a packet does not allocate.
/// </summary>
public sealed class RtpSendHistory
{
    public const int Capacity = 1024;
    private const int SlotSize = 1500;
    private readonly byte[] _slots = new byte[Capacity * SlotSize];
    private readonly int[] _lengths = new int[Capacity];
    private readonly int[] _sequences = new int[Capacity];

    public RtpSendHistory() => Array.Fill(_sequences, -1);

    public void Store(ushort sequence, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > SlotSize)
        {
            return;
        }

        int slot = sequence % Capacity;
        packet.CopyTo(_slots.AsSpan(slot * SlotSize));
        _lengths[slot] = packet.Length;
        _sequences[slot] = sequence;
    }

    /// <summary>Length of the stored packet with this sequence number; 0 when it is gone.</summary>
    public int LengthOf(ushort sequence)
    {
        int slot = sequence % Capacity;
        return _sequences[slot] == sequence ? _lengths[slot] : 0;
    }

    /// <summary>Copies the packet with this sequence number into <paramref name="destination"/>; 0 when it is gone.</summary>
    public int TryGet(ushort sequence, Span<byte> destination)
    {
        int slot = sequence % Capacity;
        if (_sequences[slot] != sequence || destination.Length < _lengths[slot])
        {
            return 0;
        }

        _slots.AsSpan(slot * SlotSize, _lengths[slot]).CopyTo(destination);
        return _lengths[slot];
    }
}
