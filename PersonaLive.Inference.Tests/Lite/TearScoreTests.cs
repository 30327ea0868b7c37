using System.Numerics;
using PersonaLive.Inference.Benchmarks;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Tests.Support;

namespace PersonaLive.Inference.Tests.Lite;

/// <summary>
/// The tear score of <c>bench lite-quality</c> must be able to fail: a warp whose face outline is cut into a
/// sawtooth (shallow notches showing the background through the cheek) scores clearly above a clean warp.
/// </summary>
public sealed class TearScoreTests
{
    private const int Size = 512;
    private static readonly Vector2 Centre = new(256, 256);

    private static Vector2[] Oval() =>
        Enumerable.Range(0, 36).Select(k => Centre + new Vector2(120 * MathF.Cos(k * MathF.Tau / 36), 160 * MathF.Sin(k * MathF.Tau / 36))).ToArray();

    [Fact]
    public void ACleanWarpScoresZero()
    {
        using var map = WarpScores.CoordinateTexture(Size);
        var oval = Oval();
        Assert.True(WarpScores.TearScore(map, oval, oval) < 0.005);
    }

    [Fact]
    public void ASawtoothOutlineScoresHigh()
    {
        using var map = WarpScores.CoordinateTexture(Size);
        var oval = Oval();
        var px = map.Pixels;
        // Notches 8 px deep, 24 per turn: inside them the warp samples the background 20 px further out.
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
            {
                var p = new Vector2(x + 0.5f, y + 0.5f);
                var inside = WarpScores.SignedDistance(oval, p);
                if (inside <= 0 || inside > 8) continue;
                var dir = Vector2.Normalize(p - Centre);
                var phase = (MathF.Atan2(dir.Y, dir.X) / MathF.Tau * 24 % 1 + 1) % 1;
                if (inside > 8 * (1 - MathF.Abs(2 * phase - 1))) continue;
                var src = p + 20 * dir;
                var o = (y * Size + x) * 4;
                px[o] = (byte)Math.Clamp(src.X * 255 / (Size - 1), 0, 255);
                px[o + 1] = (byte)Math.Clamp(src.Y * 255 / (Size - 1), 0, 255);
            }
        TestImages.Save(map, "tear-score-sawtooth.png");
        var score = WarpScores.TearScore(map, oval, oval);
        TestContext.Current.TestOutputHelper?.WriteLine($"tear score of a sawtooth outline {score:F3}");
        Assert.True(score > 0.05, $"tear score {score:F3} of a deliberately torn outline");
    }
}
