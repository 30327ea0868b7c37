namespace PersonaLive.WebRtc.Srtp;

/// <summary>
/// Sliding replay window over 48-bit packet indices (RFC 3711 section 3.3.2), 1024 packets wide so that
/// late retransmissions still pass. Check before decrypting; mark only after authentication.
/// </summary>
internal sealed class ReplayWindow
{
    public const int Size = 1024;
    private readonly ulong[] _bits = new ulong[Size / 64];
    private bool _started;

    /// <summary>Highest index accepted so far.</summary>
    public ulong Highest { get; private set; }

    public bool IsStarted => _started;

    /// <summary>True when <paramref name="index"/> is new and inside the window.</summary>
    public bool Check(ulong index)
    {
        if (!_started || index > Highest)
        {
            return true;
        }

        ulong delta = Highest - index;
        if (delta >= Size)
        {
            return false;
        }

        return !GetBit((int)((Highest - delta) % Size));
    }

    /// <summary>Records an authenticated index.</summary>
    public void Mark(ulong index)
    {
        if (!_started)
        {
            _started = true;
            Highest = index;
            SetBit((int)(index % Size));
            return;
        }

        if (index > Highest)
        {
            ulong advance = index - Highest;
            if (advance >= Size)
            {
                Array.Clear(_bits);
            }
            else
            {
                for (ulong i = Highest + 1; i < index; i++)
                {
                    ClearBit((int)(i % Size));
                }
            }

            Highest = index;
        }

        SetBit((int)(index % Size));
    }

    private bool GetBit(int i) => (_bits[i >> 6] & (1UL << (i & 63))) != 0;

    private void SetBit(int i) => _bits[i >> 6] |= 1UL << (i & 63);

    private void ClearBit(int i) => _bits[i >> 6] &= ~(1UL << (i & 63));
}
