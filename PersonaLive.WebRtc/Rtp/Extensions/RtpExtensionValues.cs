using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Rtp.Extensions;

/// <summary>
/// Encoders and decoders for the values of the extensions in <see cref="RtpExtensionMap"/>: byte-buffer
/// logic only. abs-send-time is the middle 24 bits of the 64-bit NTP time (6.18 fixed-point seconds,
/// wrapping every 64 s); the transport-wide sequence number is 16 bits big-endian
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2); playout-delay carries MIN and MAX
/// as two 12-bit counts of 10 ms.
/// </summary>
public static class RtpExtensionValues
{
    public const int AbsSendTimeLength = 3;
    public const int TransportSequenceLength = 2;
    public const int PlayoutDelayLength = 3;

    /// <summary>Largest playout delay the 12-bit field can say (40.95 s).</summary>
    public const int MaxPlayoutDelayMs = 4095 * 10;

    /// <summary>abs-send-time for an NTP time: bits 14..37 of the 64-bit timestamp (6 integer, 18 fractional bits).</summary>
    public static void WriteAbsSendTime(Span<byte> destination, ulong ntpTime)
    {
        uint value = (uint)(ntpTime >> 14) & 0xFFFFFF;
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }

    /// <summary>The 24-bit abs-send-time value; false when the element has the wrong length.</summary>
    public static bool TryReadAbsSendTime(ReadOnlySpan<byte> value, out uint sendTime24)
    {
        sendTime24 = 0;
        if (value.Length != AbsSendTimeLength)
        {
            return false;
        }

        sendTime24 = ((uint)value[0] << 16) | ((uint)value[1] << 8) | value[2];
        return true;
    }

    public static void WriteTransportSequence(Span<byte> destination, ushort sequence) =>
        BinaryPrimitives.WriteUInt16BigEndian(destination, sequence);

    public static bool TryReadTransportSequence(ReadOnlySpan<byte> value, out ushort sequence)
    {
        sequence = 0;
        if (value.Length != TransportSequenceLength)
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadUInt16BigEndian(value);
        return true;
    }

    /// <summary>Writes MIN and MAX (milliseconds, rounded down to 10 ms, clamped to the 12-bit range).</summary>
    public static void WritePlayoutDelay(Span<byte> destination, int minMs, int maxMs)
    {
        int min = Math.Clamp(minMs, 0, MaxPlayoutDelayMs) / 10;
        int max = Math.Clamp(Math.Max(minMs, maxMs), 0, MaxPlayoutDelayMs) / 10;
        destination[0] = (byte)(min >> 4);
        destination[1] = (byte)(((min & 0xF) << 4) | (max >> 8));
        destination[2] = (byte)max;
    }

    public static bool TryReadPlayoutDelay(ReadOnlySpan<byte> value, out int minMs, out int maxMs)
    {
        minMs = maxMs = 0;
        if (value.Length != PlayoutDelayLength)
        {
            return false;
        }

        minMs = ((value[0] << 4) | (value[1] >> 4)) * 10;
        maxMs = (((value[1] & 0xF) << 8) | value[2]) * 10;
        return true;
    }
}
