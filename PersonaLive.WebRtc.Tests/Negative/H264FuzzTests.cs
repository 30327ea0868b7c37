using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Diagnostics;
using PersonaLive.WebRtc.Rtp.H264;
using PersonaLive.WebRtc.Tests.Media;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>
/// Seeded fuzzing of the H.264 depacketiser: thousands of mutated packets of a real encoded clip
/// (headers and payloads flipped, truncated, extended, replaced by noise, dropped, duplicated,
/// reordered) go through the access-unit assembler and whatever comes out through OpenH264. Nothing
/// may throw; malformed payloads are counted, and the stream recovers at the next clean IDR.
/// </summary>
public sealed class H264FuzzTests
{
    [Fact]
    public void Mutated_h264_packets_never_throw_are_counted_and_the_stream_recovers()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = new List<(byte[] Data, uint Ts)>();
        using (var encoder = new H264Encoder(new H264EncoderOptions { Width = 320, Height = 240, BitrateKbps = 1500 }))
        {
            for (int i = 0; i < 20; i++)
            {
                clip.Add((encoder.Encode(H264CodecTests.MovingTexture(i), i * 3000L, i % 10 == 0).Single().Data, (uint)(i * 3000)));
            }
        }

        var clean = H264RtpTests.Packetise(new H264Packetiser(1, 1200), clip);
        var random = new Random(20261202);
        var assembler = new H264AccessUnitAssembler(lossTimeoutMs: 50);
        using var decoder = new H264Decoder();
        var output = new List<AssembledFrame>();
        long now = 0, inputs = 0, decoded = 0, expectedMalformed = 0;
        for (int round = 0; round < 60; round++)
        {
            ushort offset = (ushort)(round * clean.Count);
            foreach (var p in clean)
            {
                now += 2;
                int action = random.Next(100); // about 7 % of packets damaged: a large IDR must survive whole
                if (action == 0)
                {
                    continue; // lost
                }

                byte[] payload = action <= 3 ? ParserFuzzer.Mutate(p.Payload, random) : p.Payload;
                ushort seq = (ushort)(p.Seq + offset + (action == 4 ? random.Next(-3, 4) : 0));
                bool marker = action == 5 ? !p.Marker : p.Marker;
                int copies = action == 6 ? 2 : 1;
                for (int c = 0; c < copies; c++, inputs++)
                {
                    expectedMalformed += payload.Length > 0 && !H264Payload.TryParse(payload, out _, out _) ? 1 : 0;
                    assembler.Insert(seq, p.Ts + (uint)(round * 60000), marker, payload, c > 0, now, output);
                }
            }

            assembler.Poll(now += 100, output);
            foreach (var frame in output)
            {
                decoded += decoder.TryDecode(frame.Data, out _) ? 1 : 0;
            }

            output.Clear();
        }

        Assert.True(inputs > 2000, $"only {inputs} inputs");
        Assert.True(expectedMalformed > 5);
        Assert.Equal(expectedMalformed, assembler.MalformedPackets);
        Assert.True(assembler.LostFrames > 0);
        Assert.True(decoded > 0, $"some units survive the damage and decode (lost {assembler.LostFrames}, late {assembler.LateOrDuplicatePackets}, malformed {assembler.MalformedPackets}, overflow {assembler.OverflowPackets}, recovered {assembler.RecoveredFrames}, inputs {inputs})");

        // after the storm, a clean stretch starting at an IDR is delivered whole
        var recovered = new List<AssembledFrame>();
        ushort baseSeq = (ushort)(60 * clean.Count + 5000);
        foreach (var p in clean)
        {
            assembler.Insert((ushort)(p.Seq + baseSeq), p.Ts + 3_000_000, p.Marker, p.Payload, false, now += 2, recovered);
        }

        assembler.Poll(now += 1000, recovered);
        Assert.Equal(clip.Count, recovered.Count);
        Assert.True(recovered[0].IsKeyframe);
        Assert.All(recovered, f => Assert.True(decoder.TryDecode(f.Data, out _)));
    }

    [Fact]
    public void Thousands_of_mutated_payloads_are_refused_and_counted_one_by_one()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = new List<(byte[] Data, uint Ts)>();
        using (var encoder = new H264Encoder(new H264EncoderOptions { Width = 320, Height = 240 }))
        {
            for (int i = 0; i < 5; i++)
            {
                clip.Add((encoder.Encode(H264CodecTests.MovingTexture(i), i * 3000L, false).Single().Data, (uint)(i * 3000)));
            }
        }

        var seeds = H264RtpTests.Packetise(new H264Packetiser(1, 300), clip).Select(p => p.Payload).ToList();
        var random = new Random(6184);
        var assembler = new H264AccessUnitAssembler(lossTimeoutMs: 20);
        var output = new List<AssembledFrame>();
        long expectedMalformed = 0;
        for (int i = 0; i < 6000; i++)
        {
            var payload = ParserFuzzer.Mutate(seeds[random.Next(seeds.Count)], random);
            expectedMalformed += payload.Length > 0 && !H264Payload.TryParse(payload, out _, out _) ? 1 : 0;
            assembler.Insert((ushort)(i + random.Next(-2, 3)), (uint)(i / 4 * 3000), random.Next(4) == 0, payload, false, i, output);
        }

        assembler.Poll(100_000, output);
        Assert.True(expectedMalformed > 200, $"{expectedMalformed} malformed inputs");
        Assert.Equal(expectedMalformed, assembler.MalformedPackets);
        Assert.All(output, f => Assert.False(f.Data.IsEmpty));
    }
}
