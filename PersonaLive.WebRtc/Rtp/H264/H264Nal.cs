namespace PersonaLive.WebRtc.Rtp.H264;

/// <summary>
/// NAL unit facts the RTP layer needs (ITU-T H.264 section 7.4.1, RFC 6184 section 5.2): the one-byte
/// header F|NRI|type, the types we meet, and splitting an Annex B byte stream (start codes 00 00 01 or
/// 00 00 00 01) into NAL units. Pure functions over spans.
/// </summary>
public static class H264Nal
{
    public const int NonIdrSlice = 1;
    public const int IdrSlice = 5;
    public const int Sei = 6;
    public const int Sps = 7;
    public const int Pps = 8;
    public const int AccessUnitDelimiter = 9;
    public const int StapA = 24;
    public const int StapB = 25;
    public const int Mtap16 = 26;
    public const int Mtap24 = 27;
    public const int FuA = 28;
    public const int FuB = 29;

    /// <summary>The four-byte Annex B start code we write in front of every NAL unit.</summary>
    public static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    public static int TypeOf(byte header) => header & 0x1F;

    /// <summary>True for the NAL unit types a single NAL unit packet may carry (1..23).</summary>
    public static bool IsSingleNalType(int type) => type is >= 1 and <= 23;

    /// <summary>
    /// Appends the (offset, length) of each NAL unit in an Annex B stream. Trailing zero bytes belong
    /// to the next start code (a NAL unit never ends in 0x00); bytes before the first start code are ignored.
    /// </summary>
    public static void Split(ReadOnlySpan<byte> stream, List<(int Offset, int Length)> nals)
    {
        int start = -1;
        int i = 0;
        while (i + 2 < stream.Length)
        {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1)
            {
                if (start >= 0)
                {
                    Add(stream, start, i, nals);
                }

                i += 3;
                start = i;
                continue;
            }

            i++;
        }

        if (start >= 0)
        {
            Add(stream, start, stream.Length, nals);
        }
    }

    private static void Add(ReadOnlySpan<byte> stream, int start, int end, List<(int, int)> nals)
    {
        while (end > start && stream[end - 1] == 0)
        {
            end--;
        }

        if (end > start)
        {
            nals.Add((start, end - start));
        }
    }
}
