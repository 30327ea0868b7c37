using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Engines;

/// <summary>
/// A portrait aligned and cropped for animation (512x512 with margin around the face), ready for
/// <see cref="IAnimationEngine.SetPortrait"/>. Produced once per upload and shared read-only.
/// </summary>
/// <param name="Image">The aligned crop (square, <see cref="Size"/> pixels).</param>
/// <param name="Size">Edge length of the crop.</param>
public sealed record PreparedPortrait(RgbaImage Image, int Size);

/// <summary>
/// Outcome of preparing an uploaded portrait: the crop, or a reason a person can act on; with the crop
/// possibly a <see cref="Notice"/> about a choice made for them (e.g. which of several faces was used).
/// </summary>
public sealed record PortraitResult(PreparedPortrait? Portrait, string? Error)
{
    /// <summary>Something the person should know about an accepted portrait, or null.</summary>
    public string? Notice { get; init; }

    public bool Succeeded => Portrait is not null;
    public static PortraitResult Ok(PreparedPortrait portrait) => new(portrait, null);
    public static PortraitResult Fail(string reason) => new(null, reason);
}
