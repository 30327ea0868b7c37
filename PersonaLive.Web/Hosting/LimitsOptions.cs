using System.ComponentModel.DataAnnotations;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Resource limits (configuration section <c>Limits</c>): admission control, upload limits, idle
/// timeout, viewers per session and the grace given to a page whose connection dropped. Validated when the host starts.
/// </summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    [Range(1, 1000, ErrorMessage = "Limits:MaxSessions must be 1..1000.")] public int MaxSessions { get; set; } = 4;
    [Range(1024, 64L * 1024 * 1024, ErrorMessage = "Limits:MaxUploadBytes must be 1024..67108864.")] public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;
    [Range(64 * 64, 100_000_000, ErrorMessage = "Limits:MaxUploadPixels must be 4096..100000000.")] public long MaxUploadPixels { get; set; } = 40_000_000;
    [Range(5, 86_400, ErrorMessage = "Limits:IdleTimeoutSeconds must be 5..86400.")] public int IdleTimeoutSeconds { get; set; } = 120;
    [Range(0, 1000, ErrorMessage = "Limits:MaxViewersPerSession must be 0..1000.")] public int MaxViewersPerSession { get; set; } = 10;

    /// <summary>
    /// How long a page's connection may stay down before its live session ends and its slot or queue
    /// place is given up (a reload or a short network blip reconnects within it).
    /// </summary>
    [Range(0, 600, ErrorMessage = "Limits:DepartedGraceSeconds must be 0..600.")] public double DepartedGraceSeconds { get; set; } = 2;
}
