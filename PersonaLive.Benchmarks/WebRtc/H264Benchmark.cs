using PersonaLive.Media;
using System.Diagnostics;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.OpenH264;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>
/// OpenH264 at 512x512 with our realtime settings (Constrained Baseline, bitrate mode 1.2 Mb/s, one
/// thread): median encode and decode time per frame of a moving textured disc, the same kind of picture
/// as the vp8 benchmark. Targets: encode 8 ms, decode 4 ms.
/// </summary>
public static class H264Benchmark
{
    public static Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        int frames = Math.Clamp((seconds ?? 5) * 40, 60, 3000);
        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 512, Height = 512, BitrateKbps = 1200 });
        using var decoder = new H264Decoder();
        var picture = I420Frame.Create(512, 512);
        var encodeMs = new List<double>();
        var decodeMs = new List<double>();
        long bytes = 0;
        int undecoded = 0;
        for (int i = 0; i < frames && !ct.IsCancellationRequested; i++)
        {
            Vp8Benchmark.Fill(picture, i);
            long t0 = Stopwatch.GetTimestamp();
            var encoded = encoder.Encode(picture, i * 3000L, forceKeyframe: i % 150 == 0);
            long t1 = Stopwatch.GetTimestamp();
            foreach (var e in encoded)
            {
                bytes += e.Data.Length;
                long d0 = Stopwatch.GetTimestamp();
                undecoded += decoder.TryDecode(e.Data, out _) ? 0 : 1;
                decodeMs.Add(Stopwatch.GetElapsedTime(d0).TotalMilliseconds);
            }

            if (i >= 10)
            {
                encodeMs.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            }
        }

        double encode = Vp8Benchmark.Median(encodeMs), decode = Vp8Benchmark.Median(decodeMs.Skip(10).ToList());
        log.WriteLine($"h264 512x512: {frames} frames, encode median {encode:F2} ms, decode median {decode:F2} ms, "
            + $"{bytes * 8.0 / (frames / 30.0) / 1000:F0} kb/s at 30 fps, {undecoded} frames not decoded");
        IReadOnlyList<KeyValuePair<string, double>> result =
        [
            new("encode_ms_median", Math.Round(encode, 3)),
            new("decode_ms_median", Math.Round(decode, 3)),
        ];
        return Task.FromResult(result);
    }
}
