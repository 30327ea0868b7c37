using System.Diagnostics;
using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>
/// libvpx VP8 at 512x512 with our realtime settings (CBR 1.2 Mb/s, cpu-used -8, one thread): median
/// encode and decode time per frame of a moving test pattern. Targets: encode 8 ms, decode 3 ms.
/// </summary>
public static class Vp8Benchmark
{
    public static Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        int frames = Math.Clamp((seconds ?? 5) * 40, 60, 3000);
        using var encoder = new VpxEncoder(new VpxEncoderOptions { Width = 512, Height = 512, BitrateKbps = 1200 });
        using var decoder = new VpxDecoder();
        var picture = I420Frame.Create(512, 512);
        var encodeMs = new List<double>();
        var decodeMs = new List<double>();
        long bytes = 0;
        for (int i = 0; i < frames && !ct.IsCancellationRequested; i++)
        {
            Fill(picture, i);
            long t0 = Stopwatch.GetTimestamp();
            var encoded = encoder.Encode(picture, i * 3000L, forceKeyframe: false);
            long t1 = Stopwatch.GetTimestamp();
            foreach (var e in encoded)
            {
                bytes += e.Data.Length;
                long d0 = Stopwatch.GetTimestamp();
                decoder.TryDecode(e.Data, out _);
                decodeMs.Add(Stopwatch.GetElapsedTime(d0).TotalMilliseconds);
            }

            if (i >= 10)
            {
                encodeMs.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            }
        }

        double encode = Median(encodeMs), decode = Median(decodeMs.Skip(10).ToList());
        log.WriteLine($"vp8 512x512: {frames} frames, encode median {encode:F2} ms, decode median {decode:F2} ms, {bytes * 8.0 / (frames / 30.0) / 1000:F0} kb/s at 30 fps");
        IReadOnlyList<KeyValuePair<string, double>> result =
        [
            new("encode_ms_median", Math.Round(encode, 3)),
            new("decode_ms_median", Math.Round(decode, 3)),
        ];
        return Task.FromResult(result);
    }

    /// <summary>A face-sized moving gradient with texture, so the encoder has real work.</summary>
    internal static void Fill(I420Frame f, int t)
    {
        for (int y = 0; y < f.Height; y++)
        {
            var row = f.Buffer.AsSpan(y * f.StrideY, f.Width);
            for (int x = 0; x < f.Width; x++)
            {
                int dx = x - 256 - (int)(40 * Math.Sin(t * 0.1)), dy = y - 256;
                row[x] = (byte)((dx * dx + dy * dy < 150 * 150 ? 170 : 60) + ((x * 7 + y * 13 + t) & 15));
            }
        }

        f.U.Fill(110);
        f.V.Fill(150);
    }

    internal static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[values.Count / 2];
    }
}
