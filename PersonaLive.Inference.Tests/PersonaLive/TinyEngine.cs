using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>A warmed-up factory over a fresh tiny model set, plus frame helpers.</summary>
internal sealed class TinyEngine : IDisposable
{
    private readonly TinySet _set;

    /// <param name="fp16Networks">Networks of the tiny set written in fp16 (default: all fp32).</param>
    public TinyEngine(IReadOnlySet<string>? fp16Networks = null)
    {
        _set = new TinySet(fp16Networks);
        Factory = new PersonaLiveEngineFactory(new EngineOptions { ModelDirectory = _set.Directory, ExecutionProvider = "cpu" }, NullLoggerFactory.Instance);
        Factory.WarmUpAsync(null, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
    }

    public PersonaLiveEngineFactory Factory { get; }

    public PersonaLiveEngine Create(ulong seed = 42) =>
        new(Factory.Sessions!, seed, NullLogger<PersonaLiveEngine>.Instance);

    public static PreparedPortrait Portrait(byte gray = 128)
    {
        var img = Uniform(512, 512, gray);
        return new PreparedPortrait(img, 512);
    }

    public static RgbaImage Uniform(int w, int h, byte gray)
    {
        var img = new RgbaImage(w, h);
        var px = img.Pixels;
        for (var i = 0; i < px.Length; i += 4) { px[i] = px[i + 1] = px[i + 2] = gray; px[i + 3] = 255; }
        return img;
    }

    /// <summary>Left half <paramref name="left"/>, right half <paramref name="right"/>.</summary>
    public static RgbaImage Split(int w, int h, byte left, byte right)
    {
        var img = Uniform(w, h, left);
        var px = img.Pixels;
        for (var y = 0; y < h; y++)
            for (var x = w / 2; x < w; x++) { var o = (y * w + x) * 4; px[o] = px[o + 1] = px[o + 2] = right; }
        return img;
    }

    /// <summary>An 80x60 "camera" frame with a bright disc moving along a circle and a colour gradient.</summary>
    public static RgbaImage Moving(int n)
    {
        const int w = 80, h = 60;
        var img = new RgbaImage(w, h);
        var px = img.Pixels;
        double cx = 40 + 12 * Math.Cos(n * 0.3), cy = 30 + 8 * Math.Sin(n * 0.2);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var o = (y * w + x) * 4;
                var inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 150;
                px[o] = (byte)(inside ? 230 : x * 3);
                px[o + 1] = (byte)(inside ? 200 : y * 4);
                px[o + 2] = (byte)((x + y + n) % 256);
                px[o + 3] = 255;
            }
        return img;
    }

    public static DrivingFrame[] Chunk(Func<int, RgbaImage> frame, int call) =>
        [.. Enumerable.Range(0, 4).Select(i => new DrivingFrame(frame(call * 4 + i), (call * 4 + i) * 33_333L))];

    public void Dispose()
    {
        Factory.Dispose();
        _set.Dispose();
    }
}
