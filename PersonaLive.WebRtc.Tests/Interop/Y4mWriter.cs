using System.Text;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>Writes a YUV4MPEG2 (4:2:0) clip for Chromium's fake camera: left half dark, right half bright.</summary>
internal static class Y4mWriter
{
    public const byte LeftLuma = 40;
    public const byte RightLuma = 200;

    public static void Write(string path, int width, int height, int frames)
    {
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n"));
        var y = new byte[width * height];
        for (int row = 0; row < height; row++)
        {
            y.AsSpan(row * width, width / 2).Fill(LeftLuma);
            y.AsSpan(row * width + width / 2, width - width / 2).Fill(RightLuma);
        }

        var chroma = new byte[(width / 2) * (height / 2)];
        Array.Fill(chroma, (byte)128);
        for (int i = 0; i < frames; i++)
        {
            file.Write("FRAME\n"u8);
            file.Write(y);
            file.Write(chroma);
            file.Write(chroma);
        }
    }
}
