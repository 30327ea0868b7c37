using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>A grid of square tiles (rows x columns) saved as one PNG for a person to look at.</summary>
public sealed class ContactSheet(int rows, int columns, int tile)
{
    private readonly RgbaImage _sheet = Filled(columns * tile, rows * tile);

    public int Tile => tile;

    /// <summary>Draws the square region (centre, edge, pixels of <paramref name="image"/>) into tile (row, column).</summary>
    public void Put(int row, int column, RgbaImage image, float centreX, float centreY, float edge)
    {
        if (row >= rows || column >= columns) return;
        using var t = new RgbaImage(tile, tile);
        ImageSampler.ToRgba(image, Affine2.SquareRegion(centreX, centreY, edge, 0, tile), t, clampToEdge: true);
        for (var y = 0; y < tile; y++)
            t.Pixels.Slice(y * tile * 4, tile * 4).CopyTo(_sheet.Pixels.Slice(((row * tile + y) * _sheet.Width + column * tile) * 4, tile * 4));
    }

    /// <summary>Draws a whole image scaled into tile (row, column).</summary>
    public void Put(int row, int column, RgbaImage image) =>
        Put(row, column, image, image.Width / 2f, image.Height / 2f, Math.Max(image.Width, image.Height));

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, ImageCodec.EncodePng(_sheet));
    }

    private static RgbaImage Filled(int w, int h)
    {
        var image = new RgbaImage(w, h);
        image.Pixels.Fill(40);
        return image;
    }
}
