namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// Converts between the 64-bit NTP timestamps of RTCP sender reports (RFC 3550 §4: seconds since
/// 1900 in the high 32 bits, binary fraction in the low 32) and the pipeline's Unix-epoch microseconds.
/// </summary>
internal static class CaptureClock
{
    /// <summary>Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch).</summary>
    public const long NtpToUnixSeconds = 2_208_988_800;

    public static long NtpToUnixMicros(ulong ntp)
    {
        long seconds = (long)(ntp >> 32) - NtpToUnixSeconds;
        long micros = (long)(((ntp & 0xFFFF_FFFFUL) * 1_000_000UL) >> 32);
        return seconds * 1_000_000 + micros;
    }

    public static ulong UnixMicrosToNtp(long unixMicros)
    {
        long seconds = Math.DivRem(unixMicros, 1_000_000, out long micros);
        if (micros < 0) { micros += 1_000_000; seconds--; }
        ulong fraction = ((ulong)micros << 32) / 1_000_000UL;
        return ((ulong)(seconds + NtpToUnixSeconds) << 32) | fraction;
    }
}
