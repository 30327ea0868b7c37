using System.Globalization;

namespace PersonaLive.WebRtc.Sdp;

/// <summary>The H.264 profiles a profile-level-id can name, as far as negotiation distinguishes them.</summary>
public enum H264Profile
{
    Unsupported,
    ConstrainedBaseline,
    Baseline,
    Main,
    ConstrainedHigh,
    High,
}

/// <summary>
/// The <c>profile-level-id</c> fmtp parameter (RFC 6184 section 8.1): three bytes in hex, profile_idc,
/// profile-iop (the constraint_set flags) and level_idc. The profile follows from profile_idc and the
/// flags together, the way browsers read it: 42 with constraint_set1 is Constrained Baseline (42e01f is
/// what every WebRTC browser offers), 42 without it Baseline, 4D with constraint_set0 or 58 with
/// constraint_set0+1 are Constrained Baseline as well, 4D otherwise Main, 64 with constraint_set3+4
/// Constrained High, 64 plain High. Two formats are the same codec when their profiles match, whatever
/// their levels (section 8.1: the level is a capability, not part of the identity). An absent
/// parameter means 42000a (Baseline, level 1.0).
/// </summary>
public readonly record struct H264ProfileLevelId(int ProfileIdc, int ProfileIop, int LevelIdc)
{
    /// <summary>What we send and prefer: Constrained Baseline, level 3.1.</summary>
    public static readonly H264ProfileLevelId ConstrainedBaseline31 = new(0x42, 0xE0, 31);

    /// <summary>The RFC's default when the parameter is missing.</summary>
    public static readonly H264ProfileLevelId Default = new(0x42, 0x00, 10);

    public H264Profile Profile => (ProfileIdc, ProfileIop) switch
    {
        (0x42, var iop) when (iop & 0x40) != 0 => H264Profile.ConstrainedBaseline,
        (0x42, _) => H264Profile.Baseline,
        (0x4D, var iop) when (iop & 0x80) != 0 => H264Profile.ConstrainedBaseline,
        (0x4D, _) => H264Profile.Main,
        (0x58, var iop) when (iop & 0xC0) == 0xC0 => H264Profile.ConstrainedBaseline,
        (0x58, var iop) when (iop & 0xC0) == 0x80 => H264Profile.Baseline,
        (0x64, 0x0C) => H264Profile.ConstrainedHigh,
        (0x64, 0x00) => H264Profile.High,
        _ => H264Profile.Unsupported,
    };

    /// <summary>Parses six hex digits; false for anything else.</summary>
    public static bool TryParse(string? value, out H264ProfileLevelId result)
    {
        result = default;
        if (value is null || value.Length != 6
            || !int.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int bits))
        {
            return false;
        }

        result = new H264ProfileLevelId(bits >> 16, (bits >> 8) & 0xFF, bits & 0xFF);
        return result.LevelIdc != 0;
    }

    /// <summary>Same profile, level ignored (RFC 6184 section 8.1).</summary>
    public bool SameProfileAs(H264ProfileLevelId other) => Profile != H264Profile.Unsupported && Profile == other.Profile;

    public H264ProfileLevelId WithLevel(int levelIdc) => this with { LevelIdc = levelIdc };

    public override string ToString() => $"{ProfileIdc:x2}{ProfileIop:x2}{LevelIdc:x2}";
}
