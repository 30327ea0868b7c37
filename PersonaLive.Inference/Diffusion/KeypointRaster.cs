namespace PersonaLive.Inference.Diffusion;

/// <summary>An integer crop box, end-exclusive (<c>X2</c>, <c>Y2</c> are one past the last column/row).</summary>
public readonly record struct FaceBox(int X1, int Y1, int X2, int Y2)
{
    public bool IsEmpty => X2 <= X1 || Y2 <= Y1;
}

/// <summary>
/// The 7-keypoint drawings of the official pipeline (port-notes §5.3, §5.4, <c>src/utils/util.py</c>):
/// keypoint maps for the pose guider (filled discs of radius 4 in fixed colours on black, overlaps added
/// then clamped) and the face box for the motion encoder's crop. Pixel positions are
/// trunc((v·0.5 + 0.5)·size) evaluated in half precision, as the official fp16 run does.
/// </summary>
public static class KeypointRaster
{
    /// <summary>Keypoint indices drawn and boxed, in drawing order.</summary>
    public static ReadOnlySpan<int> Indices => [1, 2, 3, 4, 12, 15, 20];

    /// <summary>Disc colours (RGB, 0..255), parallel to <see cref="Indices"/>.</summary>
    public static ReadOnlySpan<byte> Colours => [255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 255, 255, 0, 85];

    public const int Radius = 4;

    /// <summary>Integer pixel coordinate of a normalised keypoint coordinate on a canvas of <paramref name="size"/>.</summary>
    public static int Pixel(float v, int size)
    {
        var h = (float)(Half)((float)(Half)v * 0.5f);
        var shifted = (float)(Half)(h + 0.5f);
        return (int)(float)(Half)(shifted * size);
    }

    /// <summary>The 7 pixel positions of <paramref name="kp"/> (21x3 values).</summary>
    public static void Pixels(ReadOnlySpan<float> kp, int size, Span<int> px, Span<int> py)
    {
        var idx = Indices;
        for (var i = 0; i < idx.Length; i++)
        {
            px[i] = Pixel(kp[3 * idx[i]], size);
            py[i] = Pixel(kp[3 * idx[i] + 1], size);
        }
    }

    /// <summary>
    /// Draws the keypoint map of <paramref name="kp"/> into frame <paramref name="frame"/> of a
    /// (3, frames, size, size) tensor (planar RGB in [0,1]); the frame's planes are cleared first.
    /// </summary>
    public static void DrawMap(ReadOnlySpan<float> kp, int size, Span<float> tensor, int frames, int frame)
    {
        var plane = size * size;
        for (var c = 0; c < 3; c++) tensor.Slice((c * frames + frame) * plane, plane).Clear();
        Span<int> px = stackalloc int[7];
        Span<int> py = stackalloc int[7];
        Pixels(kp, size, px, py);
        var colours = Colours;
        for (var i = 0; i < 7; i++)
        {
            int x0 = Math.Max(px[i] - Radius, 0), x1 = Math.Min(px[i] + Radius, size - 1);
            int y0 = Math.Max(py[i] - Radius, 0), y1 = Math.Min(py[i] + Radius, size - 1);
            for (var c = 0; c < 3; c++)
            {
                var add = colours[3 * i + c] / 255f;
                if (add == 0) continue;
                var p = tensor.Slice((c * frames + frame) * plane, plane);
                for (var y = y0; y <= y1; y++)
                    for (var x = x0; x <= x1; x++)
                    {
                        int dx = px[i] - x, dy = py[i] - y;
                        if (dx * dx + dy * dy > Radius * Radius) continue;
                        ref var v = ref p[y * size + x];
                        v = Math.Min(v + add, 1f);
                    }
            }
        }
    }

    /// <summary>
    /// Face box from the 7 keypoints: centre = mean of the integer pixels, side = (cy - min y)·2·1.7,
    /// box = [cx - 0.475 side, cy - 0.475 side, cx + 0.525 side, cy + 0.525 side] clamped to [0, size-1]
    /// and truncated.
    /// </summary>
    public static FaceBox Box(ReadOnlySpan<float> kp, int size)
    {
        Span<int> px = stackalloc int[7];
        Span<int> py = stackalloc int[7];
        Pixels(kp, size, px, py);
        float sx = 0, sy = 0;
        var minY = int.MaxValue;
        for (var i = 0; i < 7; i++)
        {
            sx += px[i];
            sy += py[i];
            minY = Math.Min(minY, py[i]);
        }
        float cx = sx / 7, cy = sy / 7;
        var side = (cy - minY) * 2 * 1.7f;
        int Clamp(float v) => (int)Math.Clamp(v, 0, size - 1);
        return new FaceBox(Clamp(cx - side / 2 * 0.95f), Clamp(cy - side / 2 * 0.95f), Clamp(cx + side / 2 * 1.05f), Clamp(cy + side / 2 * 1.05f));
    }
}
