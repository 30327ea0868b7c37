using System.ComponentModel;
using System.Diagnostics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>Raised when a video clip cannot be decoded (ffmpeg missing or failing); the message says why.</summary>
public sealed class VideoDecodeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Decodes a stretch of a video file into RGBA frames with the ffmpeg command-line tool (Debian's
/// <c>ffmpeg</c> package, installed by <c>persona.sh</c> for tests and benchmarks), streaming raw frames
/// from its standard output so a long clip never sits in memory at once.
/// </summary>
public static class VideoClip
{
    /// <summary>Frame size of the clip (ffprobe).</summary>
    public static async Task<(int Width, int Height)> SizeAsync(string path, CancellationToken ct)
    {
        var output = await RunToEndAsync("ffprobe", ct, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path).ConfigureAwait(false);
        var parts = output.Trim().Split(',');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var w) || !int.TryParse(parts[1], out var h))
            throw new VideoDecodeException($"ffprobe could not read the frame size of {path}: '{output.Trim()}'.");
        return (w, h);
    }

    /// <summary>
    /// Frames from <paramref name="startSeconds"/> for <paramref name="seconds"/> at <paramref name="fps"/>
    /// frames per second; each frame is a new image the caller disposes.
    /// </summary>
    public static async IAsyncEnumerable<RgbaImage> FramesAsync(string path, double startSeconds, double seconds, int fps,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var (w, h) = await SizeAsync(path, ct).ConfigureAwait(false);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        using var process = Start("ffmpeg", "-v", "error", "-ss", startSeconds.ToString(inv), "-t", seconds.ToString(inv), "-i", path,
            "-vf", $"fps={fps}", "-f", "rawvideo", "-pix_fmt", "rgba", "-");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stream = process.StandardOutput.BaseStream;
        try
        {
            while (true)
            {
                var frame = new RgbaImage(w, h);
                var read = 0;
                while (read < frame.Buffer.Length)
                {
                    var n = await stream.ReadAsync(frame.Buffer.AsMemory(read), ct).ConfigureAwait(false);
                    if (n == 0) break;
                    read += n;
                }
                if (read < frame.Buffer.Length)
                {
                    frame.Dispose();
                    break;
                }
                yield return frame;
            }
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0)
                throw new VideoDecodeException($"ffmpeg failed on {path} (exit {process.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static Process Start(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            return Process.Start(psi) ?? throw new Win32Exception($"{tool} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new VideoDecodeException($"{tool} is not installed (Debian package ffmpeg; ./persona.sh test and bench install it).", ex);
        }
    }

    private static async Task<string> RunToEndAsync(string tool, CancellationToken ct, params string[] args)
    {
        using var process = Start(tool, args);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = await process.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new VideoDecodeException($"{tool} failed (exit {process.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
        return stdout;
    }
}
