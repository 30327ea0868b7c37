using SkiaSharp;

namespace PersonaLive.Web.Live.Portraits;

/// <summary>
/// Built-in portraits, drawn by this code with SkiaSharp at first use (no image files, nothing from
/// other sources). Frontal, evenly lit, simple illustrated faces so people can try the Studio without
/// uploading a photo of anyone. The images are dedicated to the public domain under CC0 1.0
/// (PRESET-PORTRAITS-LICENSE.txt beside this file, copied next to the binaries; the Studio says so too).
/// </summary>
internal sealed class PresetPortraits
{
    /// <summary>Short name of the licence of the preset images.</summary>
    public const string Licence = "CC0 1.0";

    /// <summary>The CC0 1.0 Universal deed.</summary>
    public const string LicenceUrl = "https://creativecommons.org/publicdomain/zero/1.0/";

    /// <summary>The notice file shipped next to the app's binaries.</summary>
    public const string NoticeFile = "PRESET-PORTRAITS-LICENSE.txt";

    private readonly Lazy<IReadOnlyList<PresetPortrait>> _all = new(() => Styles.Select(Draw).ToList());

    /// <summary>The presets, drawn once per process.</summary>
    public IReadOnlyList<PresetPortrait> All => _all.Value;

    public PresetPortrait? Find(string id) => All.FirstOrDefault(p => p.Id == id);

    private sealed record Style(string Id, string Name, SKColor Skin, SKColor Hair, SKColor Shirt, SKColor Background, SKColor Iris, bool LongHair);

    private static readonly Style[] Styles =
    [
        new("ada", "Ada (illustrated)", new SKColor(0xF1, 0xC2, 0x9B), new SKColor(0x5B, 0x3A, 0x29), new SKColor(0x3D, 0x6E, 0xA8), new SKColor(0xC9, 0xDD, 0xF2), new SKColor(0x4A, 0x7A, 0x5A), true),
        new("kofi", "Kofi (illustrated)", new SKColor(0x8D, 0x5A, 0x3B), new SKColor(0x1E, 0x17, 0x14), new SKColor(0xC4, 0x5B, 0x3C), new SKColor(0xF2, 0xE3, 0xC6), new SKColor(0x3B, 0x25, 0x18), false),
        new("mei", "Mei (illustrated)", new SKColor(0xF5, 0xD6, 0xB8), new SKColor(0x22, 0x1C, 0x24), new SKColor(0x6A, 0x4C, 0x93), new SKColor(0xE3, 0xD5, 0xEE), new SKColor(0x3A, 0x2A, 0x22), true),
    ];

    private static PresetPortrait Draw(Style s)
    {
        const int size = 512;
        using var surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        var c = surface.Canvas;
        using var paint = new SKPaint { IsAntialias = true };

        // Background: soft vertical gradient.
        paint.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, size), [s.Background, Darken(s.Background, 0.82f)], SKShaderTileMode.Clamp);
        c.DrawRect(0, 0, size, size, paint);
        paint.Shader = null;

        // Hair behind the head (long styles fall to the shoulders).
        paint.Color = s.Hair;
        if (s.LongHair) c.DrawRoundRect(new SKRect(136, 110, 376, 420), 110, 110, paint);

        // Shoulders and neck.
        paint.Color = s.Shirt;
        c.DrawOval(new SKRect(76, 400, 436, 640), paint);
        paint.Color = Darken(s.Skin, 0.9f);
        c.DrawRect(new SKRect(222, 320, 290, 420), paint);

        // Face, ears.
        paint.Color = s.Skin;
        c.DrawOval(new SKRect(148, 160, 172, 220), paint);
        c.DrawOval(new SKRect(148 + 192, 160, 172 + 192, 220), paint);
        c.DrawOval(new SKRect(160, 96, 352, 356), paint);

        // Hair on top.
        paint.Color = s.Hair;
        using (var top = new SKPathBuilder())
        {
            top.MoveTo(156, 196);
            top.CubicTo(148, 56, 364, 56, 356, 196); // peaks near y 91, above the face oval's top (96)
            top.CubicTo(330, 140, 260, 128, 200, 150);
            top.CubicTo(180, 160, 166, 176, 156, 196);
            using var topPath = top.Detach();
            c.DrawPath(topPath, paint);
        }

        // Eyebrows.
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = 7;
        paint.StrokeCap = SKStrokeCap.Round;
        paint.Color = Darken(s.Hair, 0.9f);
        c.DrawLine(200, 190, 236, 184, paint);
        c.DrawLine(276, 184, 312, 190, paint);
        paint.Style = SKPaintStyle.Fill;

        // Eyes: white, iris, pupil, highlight.
        foreach (var cx in new[] { 219f, 293f })
        {
            paint.Color = SKColors.White;
            c.DrawOval(new SKRect(cx - 20, 205, cx + 20, 227), paint);
            paint.Color = s.Iris;
            c.DrawCircle(cx, 216, 10, paint);
            paint.Color = new SKColor(0x12, 0x10, 0x10);
            c.DrawCircle(cx, 216, 5, paint);
            paint.Color = SKColors.White;
            c.DrawCircle(cx + 3, 213, 2.5f, paint);
        }

        // Nose: a soft shadow line and nostrils.
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = 4;
        paint.Color = Darken(s.Skin, 0.78f);
        using (var nose = new SKPathBuilder())
        {
            nose.MoveTo(256, 226);
            nose.CubicTo(250, 250, 244, 266, 248, 276);
            nose.CubicTo(254, 282, 262, 282, 268, 276);
            using var nosePath = nose.Detach();
            c.DrawPath(nosePath, paint);
        }

        // Mouth: lips with a gentle smile.
        paint.Style = SKPaintStyle.Fill;
        paint.Color = new SKColor(0xB8, 0x4E, 0x52);
        using (var mouth = new SKPathBuilder())
        {
            mouth.MoveTo(222, 304);
            mouth.CubicTo(240, 298, 272, 298, 290, 304);
            mouth.CubicTo(276, 326, 236, 326, 222, 304);
            using var mouthPath = mouth.Detach();
            c.DrawPath(mouthPath, paint);
        }
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = 2.5f;
        paint.Color = new SKColor(0x7A, 0x2E, 0x33);
        c.DrawLine(224, 305, 288, 305, paint);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return new PresetPortrait(s.Id, s.Name, png.ToArray());
    }

    private static SKColor Darken(SKColor c, float f) => new((byte)(c.Red * f), (byte)(c.Green * f), (byte)(c.Blue * f), c.Alpha);
}

/// <summary>One preset: id for the UI, a display name, PNG bytes (512x512).</summary>
internal sealed record PresetPortrait(string Id, string Name, byte[] Png)
{
    public string DataUrl => PortraitImages.ToDataUrl(Png, "image/png");
}
