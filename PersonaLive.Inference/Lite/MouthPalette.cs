using System.Numerics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// The colours <see cref="MouthFill"/> paints an opened mouth with, taken from the portrait once so the
/// inside of the mouth matches the person's lips, skin and lighting instead of fixed paint: the cavity and
/// tongue are the lip colour darkened, and the teeth are the portrait's own teeth when its mouth is open
/// and shows them, otherwise an ivory dimmed to the portrait's skin brightness (a dim photo gets dim teeth).
/// </summary>
public readonly record struct MouthPalette(Vector3 Teeth, Vector3 Rim, Vector3 Cavity, Vector3 Tongue)
{
    /// <summary>Neutral colours for a well-lit face (tests, synthetic drivers).</summary>
    public static MouthPalette Default { get; } = FromColours(new Vector3(170, 70, 75), new Vector3(200, 160, 140), null);

    /// <summary>Lip body centres: midpoints of these outer/inner lip pairs (MediaPipe indices).</summary>
    private static readonly (int Outer, int Inner)[] LipPairs = [(0, 13), (17, 14), (37, 82), (267, 312), (84, 87), (314, 317), (39, 81), (269, 311)];
    private static readonly int[] Cheeks = [50, 280, 205, 425];

    /// <summary>Reads lip, skin and (when the portrait's mouth is open) teeth colour off the portrait.</summary>
    public static MouthPalette Of(RgbaImage image, ReadOnlySpan<Vector3> landmarks, ReadOnlySpan<int> innerMouth, float mouthOpening)
    {
        var lip = Vector3.Zero;
        foreach (var (o, i) in LipPairs) lip += Average(image, (Xy(landmarks[o]) + Xy(landmarks[i])) / 2);
        lip /= LipPairs.Length;
        var skin = Vector3.Zero;
        foreach (var c in Cheeks) skin += Average(image, Xy(landmarks[c]));
        skin /= Cheeks.Length;
        Vector3? teeth = null;
        if (mouthOpening > 0.06f)
        {
            // The brightest fifth of the portrait's own mouth opening: its teeth if it shows any.
            Span<Vector2> poly = stackalloc Vector2[innerMouth.Length];
            for (var k = 0; k < poly.Length; k++) poly[k] = Xy(landmarks[innerMouth[k]]);
            var inside = new List<Vector3>();
            var (min, max) = Bounds(poly);
            for (var y = (int)min.Y; y <= (int)max.Y; y++)
                for (var x = (int)min.X; x <= (int)max.X; x++)
                    if (Polygon.Contains(poly, new Vector2(x + 0.5f, y + 0.5f)) && x >= 0 && y >= 0 && x < image.Width && y < image.Height) inside.Add(Pixel(image, x, y));
            if (inside.Count >= 20)
            {
                var bright = inside.OrderByDescending(Luma).Take(Math.Max(inside.Count / 5, 1)).ToList();
                var mean = bright.Aggregate(Vector3.Zero, (a, b) => a + b) / bright.Count;
                if (Luma(mean) > Luma(lip) + 30 && Luma(mean) > 110) teeth = mean;
            }
        }
        return FromColours(lip, skin, teeth);
    }

    private static MouthPalette FromColours(Vector3 lip, Vector3 skin, Vector3? teeth)
    {
        var brightness = Math.Clamp(Luma(skin) / 175f, 0.55f, 1f);
        var ivory = new Vector3(236, 228, 214) * brightness;
        return new MouthPalette(teeth ?? ivory, lip * new Vector3(0.3f, 0.15f, 0.16f), lip * new Vector3(0.2f, 0.08f, 0.09f) + new Vector3(6, 2, 2), lip * new Vector3(0.5f, 0.3f, 0.32f));
    }

    private static float Luma(Vector3 c) => 0.3f * c.X + 0.59f * c.Y + 0.11f * c.Z;

    private static Vector3 Average(RgbaImage image, Vector2 at)
    {
        var sum = Vector3.Zero;
        var n = 0;
        for (var dy = -1; dy <= 1; dy++)
            for (var dx = -1; dx <= 1; dx++)
            {
                int x = (int)at.X + dx, y = (int)at.Y + dy;
                if (x < 0 || y < 0 || x >= image.Width || y >= image.Height) continue;
                sum += Pixel(image, x, y);
                n++;
            }
        return n == 0 ? new Vector3(128) : sum / n;
    }

    private static Vector3 Pixel(RgbaImage image, int x, int y)
    {
        var o = (y * image.Width + x) * 4;
        var px = image.Pixels;
        return new Vector3(px[o], px[o + 1], px[o + 2]);
    }

    private static (Vector2 Min, Vector2 Max) Bounds(ReadOnlySpan<Vector2> poly)
    {
        Vector2 min = new(float.MaxValue), max = new(float.MinValue);
        foreach (var p in poly) { min = Vector2.Min(min, p); max = Vector2.Max(max, p); }
        return (min, max);
    }

    private static Vector2 Xy(Vector3 v) => new(v.X, v.Y);
}
