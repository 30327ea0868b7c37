using System.Diagnostics.CodeAnalysis;

namespace PersonaLive.TestSupport;

/// <summary>
/// What a test does when something outside the repository is missing (Chromium, libvpx, libsrtp2, an npm
/// or Debian package it fetches). On a developer's machine it skips with the reason; under CI (the
/// environment variable <c>CI=true</c>, which CI sets) it fails, because <c>.ci/run</c> installs all of
/// these and a silent skip there would hide a broken setup. Tests whose need no CI machine can meet
/// (a GPU, real PersonaLive weights) call <c>Assert.Skip</c> directly instead.
/// Compiled into every test project (Directory.Build.props links this file).
/// </summary>
internal static class Prerequisite
{
    /// <summary>True when running under CI, where every installable prerequisite must be present.</summary>
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the calling test (fails it under CI) because <paramref name="reason"/>.</summary>
    [DoesNotReturn]
    public static void Missing(string reason)
    {
        if (IsCi)
        {
            Assert.Fail($"CI installs this prerequisite, yet it is missing: {reason}");
        }

        Assert.Skip(reason);
    }
}
