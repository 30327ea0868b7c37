namespace PersonaLive.Inference.Imaging;

/// <summary>
/// A 2-D affine map <c>(x, y) -> (A x + B y + Tx, C x + D y + Ty)</c>, used for crops (destination pixel ->
/// source pixel) and for projecting model outputs back to image coordinates.
/// </summary>
public readonly record struct Affine2(float A, float B, float Tx, float C, float D, float Ty)
{
    public static Affine2 Identity => new(1, 0, 0, 0, 1, 0);

    public (float X, float Y) Apply(float x, float y) => (A * x + B * y + Tx, C * x + D * y + Ty);

    /// <summary>The map that first applies <paramref name="first"/>, then this.</summary>
    public Affine2 After(Affine2 first) => new(
        A * first.A + B * first.C, A * first.B + B * first.D, A * first.Tx + B * first.Ty + Tx,
        C * first.A + D * first.C, C * first.B + D * first.D, C * first.Tx + D * first.Ty + Ty);

    public Affine2 Inverse()
    {
        var det = A * D - B * C;
        if (MathF.Abs(det) < 1e-12f) throw new InvalidOperationException("Affine map is singular.");
        var ia = D / det; var ib = -B / det; var ic = -C / det; var id = A / det;
        return new(ia, ib, -(ia * Tx + ib * Ty), ic, id, -(ic * Tx + id * Ty));
    }

    /// <summary>
    /// Maps crop pixel coordinates of a <paramref name="cropSize"/>-pixel square to the image, for a square
    /// region of <paramref name="regionSize"/> image pixels centred at (cx, cy) and rotated by
    /// <paramref name="angle"/> radians (its x axis points along (cos, sin) in image coordinates).
    /// </summary>
    public static Affine2 SquareRegion(float cx, float cy, float regionSize, float angle, int cropSize)
    {
        var s = regionSize / cropSize;
        var cos = MathF.Cos(angle) * s;
        var sin = MathF.Sin(angle) * s;
        var h = cropSize / 2f;
        // image = centre + R * s * (crop - h)
        return new(cos, -sin, cx - cos * h + sin * h, sin, cos, cy - sin * h - cos * h);
    }
}
