using System.Diagnostics;

namespace PersonaLive.TestSupport;

/// <summary>
/// The one way tests and benchmarks start Chromium: Debian's browser as a user has it, plus only what a
/// machine without a camera, display or sandbox-capable user needs. Fake camera (the device, the
/// permission prompt answered, optionally a .y4m clip), headless, and <c>--no-sandbox</c> (Chromium
/// refuses to run as root without it; it changes no network or media policy). No loopback switch, no
/// autoplay switch, no mDNS switch: our ICE-lite server learns the browser's address from its checks,
/// so the browser's mDNS host names are as harmless here as on users' machines. Where the server must
/// be reached over a real interface, the browser runs inside a <see cref="TestNetwork"/>.
/// </summary>
internal static class StockChromium
{
    public const string Path = "/usr/bin/chromium";

    /// <summary>True when Debian's chromium is installed.</summary>
    public static bool IsInstalled => File.Exists(Path);

    /// <summary>The flags for Playwright's launch (which adds headless itself): fake camera only (<paramref name="answerCameraPrompt"/> false leaves the permission to the browser context).</summary>
    public static string[] Flags(string? cameraY4m = null, bool answerCameraPrompt = true) =>
    [
        "--use-fake-device-for-media-stream",
        .. answerCameraPrompt ? ["--use-fake-ui-for-media-stream"] : Array.Empty<string>(),
        .. cameraY4m is null ? Array.Empty<string>() : [$"--use-file-for-fake-video-capture={cameraY4m}"],
        "--no-sandbox", "--disable-gpu",
    ];

    /// <summary>
    /// An executable that starts Chromium inside <paramref name="network"/>'s namespace with the arguments
    /// it is given (for Playwright's ExecutablePath; the control pipe survives <c>ip netns exec</c>), or
    /// <see cref="Path"/> without a network. The script lives in <paramref name="workDir"/>.
    /// </summary>
    public static string Executable(TestNetwork? network, string workDir)
    {
        if (network is null)
        {
            return Path;
        }

        string script = System.IO.Path.Combine(workDir, $"chromium-in-{network.Namespace}");
        File.WriteAllText(script, $"#!/bin/sh\nexec ip netns exec {network.Namespace} {Path} \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return script;
    }

    /// <summary>
    /// Starts Chromium as a plain process (headless, own profile in <paramref name="profileDir"/>) on
    /// <paramref name="url"/>, inside <paramref name="network"/> when given; output is drained and dropped.
    /// The caller kills it with its process tree.
    /// </summary>
    public static Process Start(string url, string? cameraY4m, string profileDir, TestNetwork? network = null) =>
        Start(url, cameraY4m, profileDir, network?.Namespace);

    /// <summary>The same, inside the network namespace named <paramref name="ns"/> (a <see cref="NetworkLab"/> side) when given.</summary>
    public static Process Start(string url, string? cameraY4m, string profileDir, string? ns)
    {
        IReadOnlyList<string> command = ns is null ? [Path] : ["ip", "netns", "exec", ns, Path];
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1).Concat(Flags(cameraY4m)).Concat(
        [
            "--headless=new", "--no-first-run", "--mute-audio", "--window-size=1280,900", $"--user-data-dir={profileDir}", url,
        ]))
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Chromium did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
