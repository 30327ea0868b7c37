using System.Text;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Live.Imaging;
using SkiaSharp;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// Writes YUV4MPEG2 (.y4m) files, the format Chromium's fake camera plays
/// (<c>--use-file-for-fake-video-capture</c>): a text header, then "FRAME\n" + I420 planes per frame.
/// The end-to-end benchmark and the browser tests drive the Studio with such a file.
/// </summary>
internal static class Y4mVideo
{
    public static void Write(string path, int width, int height, int fps, IEnumerable<RgbaImage> frames)
    {
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n"));
        foreach (var frame in frames)
        {
            using (frame)
            using (var i420 = YuvConverter.ToI420(frame))
            {
                file.Write("FRAME\n"u8);
                file.Write(i420.Y);
                file.Write(i420.U);
                file.Write(i420.V);
            }
        }
    }

    /// <summary>
    /// A face moving on a plain background: the portrait (any encoded image) drawn at 60 % of the height,
    /// sliding left-right and tilting over <paramref name="count"/> frames, so a driver visibly moves.
    /// </summary>
    public static IEnumerable<RgbaImage> MovingFace(byte[] portrait, int width, int height, int count, SKColor background)
    {
        using var face = SKBitmap.Decode(portrait);
        for (var i = 0; i < count; i++)
        {
            var phase = 2 * Math.PI * i / count;
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            using var bitmap = new SKBitmap(info);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(background);
                var size = height * 0.6f;
                var cx = width / 2f + (float)Math.Sin(phase) * width * 0.12f;
                var cy = height / 2f;
                canvas.Translate(cx, cy);
                canvas.RotateDegrees((float)Math.Sin(phase * 2) * 12);
                using var image = SKImage.FromBitmap(face);
                canvas.DrawImage(image, new SKRect(-size / 2, -size / 2, size / 2, size / 2), new SKSamplingOptions(SKFilterMode.Linear));
            }
            var frame = new RgbaImage(width, height);
            bitmap.GetPixelSpan().CopyTo(frame.Pixels);
            yield return frame;
        }
    }
}
