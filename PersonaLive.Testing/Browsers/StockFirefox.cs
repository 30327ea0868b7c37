using System.Diagnostics;

namespace PersonaLive.TestSupport;

/// <summary>
/// The one way benchmarks start Firefox as a plain process: Debian's Firefox ESR as a user has it, headless,
/// with only the two preferences a machine without a camera needs (a fake camera stream and the camera
/// prompt answered). Firefox never offers loopback ICE candidates, so it runs inside a
/// <see cref="TestNetwork"/> and reaches the server's media socket on the link's host address. Tests drive
/// the same browser with the same preferences over WebDriver BiDi (puppeteer-core).
/// </summary>
internal static class StockFirefox
{
    public const string Path = "/usr/bin/firefox-esr";

    /// <summary>True when Debian's firefox-esr is installed.</summary>
    public static bool IsInstalled => File.Exists(Path);

    /// <summary>The preferences (name, JavaScript literal): fake camera, camera prompt answered. Nothing about networking or autoplay.</summary>
    public static IReadOnlyList<(string Name, string Value)> Preferences { get; } =
    [
        ("media.navigator.streams.fake", "true"),
        ("media.navigator.permission.disabled", "true"),
    ];

    /// <summary>
    /// Starts Firefox headless on <paramref name="url"/> with a fresh profile in <paramref name="profileDir"/>
    /// (its user.js holds <see cref="Preferences"/>), inside <paramref name="network"/> when given; output is
    /// drained and dropped. The caller kills it with its process tree.
    /// </summary>
    public static Process Start(string url, string profileDir, TestNetwork? network = null)
    {
        Directory.CreateDirectory(profileDir);
        File.WriteAllLines(System.IO.Path.Combine(profileDir, "user.js"), Preferences.Select(p => $"user_pref(\"{p.Name}\", {p.Value});"));
        IReadOnlyList<string> command = network is null ? [Path] : network.Inside(Path);
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1).Concat(["--headless", "--no-remote", "--profile", profileDir, "--window-size=1280,900", url]))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["MOZ_HEADLESS"] = "1";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Firefox did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
