using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RFC 7741 section 4.2 descriptor examples (short/long PictureID, L/T/K combinations, truncations).</summary>
public sealed class Vp8DescriptorVectorTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in TestData.DataLines("vp8-descriptors.txt"))
        {
            var parts = line.Split('|');
            data.Add(parts[0].Trim(), parts[1].Trim());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Descriptor_parses_as_the_rfc_layout_says(string hex, string expected)
    {
        bool ok = Vp8PayloadDescriptor.TryParse(TestData.Hex(hex), out var d);
        if (expected == "fail")
        {
            Assert.False(ok);
            return;
        }

        Assert.True(ok);
        var f = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        Assert.Equal(f[0] == 1, d.NonReference);
        Assert.Equal(f[1] == 1, d.StartOfPartition);
        Assert.Equal(f[2], d.PartitionId);
        Assert.Equal(f[3], d.PictureId);
        Assert.Equal(f[4] == 1, d.LongPictureId);
        Assert.Equal(f[5], d.Tl0PicIdx);
        Assert.Equal(f[6], d.TemporalId);
        Assert.Equal(f[7], d.KeyIndex);
        Assert.Equal(f[8], d.Length);
    }

    [Fact]
    public void Our_descriptor_round_trips_with_a_15_bit_picture_id()
    {
        var buffer = new byte[4];
        Vp8PayloadDescriptor.WriteWithPictureId(buffer, startOfFrame: true, pictureId: 0x1234);
        Assert.True(Vp8PayloadDescriptor.TryParse(buffer, out var d));
        Assert.True(d.IsFrameStart);
        Assert.True(d.LongPictureId);
        Assert.Equal(0x1234, d.PictureId);
        Assert.Equal(4, d.Length);
    }

    [Fact]
    public void Keyframe_header_gives_start_code_and_size()
    {
        // RFC 6386 section 9.1: frame tag (P=0), start code 9d 01 2a, 14-bit width/height little-endian.
        byte[] frame = [0xb0, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
        Assert.True(Vp8PayloadDescriptor.IsKeyframe(frame));
        Assert.True(Vp8PayloadDescriptor.TryReadKeyframeSize(frame, out int w, out int h));
        Assert.Equal((640, 480), (w, h));
        frame[0] = 0x31;
        Assert.False(Vp8PayloadDescriptor.IsKeyframe(frame));
    }
}
