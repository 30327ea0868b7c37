using PersonaLive.WebRtc.Tests.Support;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RFC 7983 / RFC 5761 demultiplexing, table-driven over every first-byte value.</summary>
public sealed class DemuxVectorTests
{
    [Fact]
    public void Every_first_and_second_byte_value_is_classified_as_the_table_says()
    {
        var ranges = new List<(int First, int Last, PacketKind Kind)>();
        (int First, int Last, PacketKind Kind) rtcp = default;
        foreach (var raw in File.ReadAllLines(TestData.PathOf("rfc7983-demux.txt")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            bool second = line.StartsWith("second ", StringComparison.Ordinal);
            var parts = (second ? line[7..] : line).Split('=');
            var bounds = parts[0].Trim().Split("..");
            var entry = (int.Parse(bounds[0]), int.Parse(bounds[1]), Enum.Parse<PacketKind>(parts[1].Trim()));
            if (second)
            {
                rtcp = entry;
            }
            else
            {
                ranges.Add(entry);
            }
        }

        var packet = new byte[64];
        for (int first = 0; first < 256; first++)
        {
            var expected = ranges.Single(r => first >= r.First && first <= r.Last).Kind;
            packet[0] = (byte)first;
            for (int second = 0; second < 256; second++)
            {
                packet[1] = (byte)second;
                var kind = expected == PacketKind.Rtp && second >= rtcp.First && second <= rtcp.Last ? rtcp.Kind : expected;
                Assert.Equal(kind, PacketClassifier.Classify(packet));
            }
        }
    }

    [Theory]
    [InlineData(0x00, 19, PacketKind.Unknown)]
    [InlineData(0x00, 20, PacketKind.Stun)]
    [InlineData(22, 12, PacketKind.Unknown)]
    [InlineData(22, 13, PacketKind.Dtls)]
    [InlineData(0x80, 11, PacketKind.Unknown)]
    [InlineData(0x80, 12, PacketKind.Rtp)]
    public void Packets_shorter_than_their_class_minimum_are_unknown(int first, int length, PacketKind kind)
    {
        var packet = new byte[length];
        packet[0] = (byte)first;
        packet[1] = 96;
        Assert.Equal(kind, PacketClassifier.Classify(packet));
    }
}
