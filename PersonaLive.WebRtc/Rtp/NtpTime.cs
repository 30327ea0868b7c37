namespace PersonaLive.WebRtc.Rtp;

/// <summary>
/// 64-bit NTP timestamps (RFC 5905: seconds since 1900 in the high 32 bits, fraction in the low 32) and
/// their mapping to the 90 kHz RTP video clock used by SRs and outgoing timestamps.
/// </summary>
public static class NtpTime
{
    private static readonly DateTime Epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Current wall-clock time as NTP.</summary>
    public static ulong Now() => FromDateTime(DateTime.UtcNow);

    public static ulong FromDateTime(DateTime utc)
    {
        long ticks = (utc - Epoch).Ticks; // 100 ns
        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong fraction = (ulong)(((UInt128)(ulong)(ticks % TimeSpan.TicksPerSecond) << 32) / TimeSpan.TicksPerSecond);
        return (seconds << 32) | fraction;
    }

    public static DateTime ToDateTime(ulong ntp) =>
        Epoch.AddTicks((long)(ntp >> 32) * TimeSpan.TicksPerSecond + (long)(((UInt128)(ntp & 0xFFFFFFFF) * TimeSpan.TicksPerSecond) >> 32));

    /// <summary>NTP time in 90 kHz ticks (wraps like an RTP timestamp when truncated to 32 bits).</summary>
    public static ulong To90kHz(ulong ntp) => (ulong)(((UInt128)ntp * 90000) >> 32);

    /// <summary>Adds a signed number of 90 kHz ticks to an NTP time.</summary>
    public static ulong Add90kHz(ulong ntp, long ticks) =>
        ticks >= 0 ? ntp + (ulong)(((UInt128)(ulong)ticks << 32) / 90000) : ntp - (ulong)(((UInt128)(ulong)(-ticks) << 32) / 90000);

    /// <summary>Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch).</summary>
    public const long UnixEpochSeconds = 2_208_988_800;

    /// <summary>NTP time as microseconds since the Unix epoch (the app's capture-time unit).</summary>
    public static long ToUnixMicros(ulong ntp)
    {
        long seconds = (long)(ntp >> 32) - UnixEpochSeconds;
        long micros = (long)(((ntp & 0xFFFF_FFFFUL) * 1_000_000UL) >> 32);
        return seconds * 1_000_000 + micros;
    }

    /// <summary>Microseconds since the Unix epoch as NTP time (inverse of <see cref="ToUnixMicros"/> to within 1 us).</summary>
    public static ulong FromUnixMicros(long unixMicros)
    {
        long seconds = Math.DivRem(unixMicros, 1_000_000, out long micros);
        if (micros < 0)
        {
            micros += 1_000_000;
            seconds--;
        }

        ulong fraction = ((ulong)micros << 32) / 1_000_000UL;
        return ((ulong)(seconds + UnixEpochSeconds) << 32) | fraction;
    }

    /// <summary>The middle 32 bits, as used for LSR in reception reports (RFC 3550 section 6.4.1).</summary>
    public static uint Middle32(ulong ntp) => (uint)(ntp >> 16);
}
