using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Tests.Support;

/// <summary>Composes rows of images into one picture (each cell resampled to <c>cell</c> pixels).</summary>
internal static class Strip
{
    public static RgbaImage Compose(IReadOnlyList<IReadOnlyList<RgbaImage>> rows, int cell)
    {
        var cols = rows.Max(r => r.Count);
        var strip = new RgbaImage(cols * cell, rows.Count * cell);
        strip.Pixels.Fill(255);
        using var tile = new RgbaImage(cell, cell);
        for (var r = 0; r < rows.Count; r++)
            for (var c = 0; c < rows[r].Count; c++)
            {
                var src = rows[r][c];
                var s = Math.Max(src.Width, src.Height) / (float)cell;
                var offX = (src.Width - cell * s) / 2;
                var offY = (src.Height - cell * s) / 2;
                ImageSampler.ToRgba(src, new Affine2(s, 0, offX, 0, s, offY), tile);
                for (var y = 0; y < cell; y++)
                    tile.Pixels.Slice(y * cell * 4, cell * 4).CopyTo(strip.Pixels.Slice(((r * cell + y) * strip.Width + c * cell) * 4));
            }
        return strip;
    }
}
