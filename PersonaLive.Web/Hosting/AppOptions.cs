using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Every configuration section the app reads (<c>Engine</c>, <c>Limits</c>, <c>Rtc</c>, <c>Live</c>), bound
/// and validated at start, each failure naming its key, so a bad value stops the app at once instead of
/// failing the first session (a bitrate minimum above the maximum, say, threw in the encoder on the first
/// frame). The web host and the CLI verbs register them the same way. The cross-limit: every live session
/// holds one peer connection plus one per share-link viewer, so
/// <c>Limits:MaxSessions x (1 + Limits:MaxViewersPerSession)</c> must fit <c>Rtc:MaxPeerConnections</c>.
/// </summary>
internal static class AppOptions
{
    public static void AddEngine(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.ModelDirectory), "Engine:ModelDirectory must be a directory path.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TensorRtCacheDirectory), "Engine:TensorRtCacheDirectory must be a directory path.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
    }

    public static void AddAll(IServiceCollection services, IConfiguration configuration)
    {
        AddEngine(services, configuration);
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.SectionName))
            .ValidateDataAnnotations()
            // Rtc read straight from configuration: an invalid Rtc section reports itself, not through this check.
            .Validate(limits => PeerConnectionsNeeded(limits) <= MaxPeerConnections(configuration),
                "Limits:MaxSessions x (1 + Limits:MaxViewersPerSession) must not exceed Rtc:MaxPeerConnections: every live session "
                + "holds one peer connection and one more per share-link viewer. Lower the limits or raise Rtc:MaxPeerConnections.")
            .ValidateOnStart();
        AddRtc(services, configuration);
        services.AddOptions<LiveOptions>().Bind(configuration.GetSection(LiveOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate<IServiceProvider>((_, sp) => TestEngineRegistration.IsAllowed(configuration, sp), TestEngineRegistration.ProductionMessage)
            .ValidateOnStart();
    }

    /// <summary>Peer connections the limits allow at once: each session's own plus its viewers'.</summary>
    public static long PeerConnectionsNeeded(LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return (long)limits.MaxSessions * (1L + limits.MaxViewersPerSession);
    }

    private static int MaxPeerConnections(IConfiguration configuration)
    {
        var rtc = new RtcOptions();
        configuration.GetSection(RtcOptions.SectionName).Bind(rtc);
        return rtc.MaxPeerConnections;
    }

    private static void AddRtc(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RtcOptions>().Bind(configuration.GetSection(RtcOptions.SectionName))
            .Validate(o => o.MediaPort is >= 0 and <= 65535, "Rtc:MediaPort must be 0..65535.")
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "Rtc:BindAddress must be an IP address.")
            .Validate(o => o.AnnouncedAddresses.All(a => System.Net.IPAddress.TryParse(a, out _)),
                "Rtc:AnnouncedAddresses must be IP addresses (the public address browsers reach the media port on).")
            .Validate(o => o.IceTransportPolicy is "all" or "relay", "Rtc:IceTransportPolicy must be \"all\" or \"relay\".")
            .Validate(o => o.ConsentTimeoutSeconds is >= 1 and <= 3600, "Rtc:ConsentTimeoutSeconds must be 1..3600.")
            .Validate(o => o.DtlsHandshakeTimeoutSeconds is >= 1 and <= 300, "Rtc:DtlsHandshakeTimeoutSeconds must be 1..300.")
            .Validate(o => o.MaxConcurrentDtlsHandshakes is >= 1 and <= 256, "Rtc:MaxConcurrentDtlsHandshakes must be 1..256.")
            .Validate(o => o.MaxPeerConnections is >= 1 and <= 100_000, "Rtc:MaxPeerConnections must be 1..100000.")
            .Validate(o => o.MaxIncomingBitrateKbps is >= 30 and <= 100_000, "Rtc:MaxIncomingBitrateKbps must be 30..100000.")
            .Validate(o => o.MinOutgoingBitrateKbps > 0 && o.MinOutgoingBitrateKbps <= o.StartOutgoingBitrateKbps
                    && o.StartOutgoingBitrateKbps <= o.MaxOutgoingBitrateKbps,
                "Rtc:MinOutgoingBitrateKbps <= Rtc:StartOutgoingBitrateKbps <= Rtc:MaxOutgoingBitrateKbps must hold, all above 0.")
            .Validate(o => o.MaxOutgoingBitrateKbps <= 100_000, "Rtc:MaxOutgoingBitrateKbps must be at most 100000.")
            .Validate(o => o.RetransmissionBudgetPercent is >= 1 and <= 100, "Rtc:RetransmissionBudgetPercent must be 1..100.")
            .Validate(o => o.FrameLossTimeoutMs is >= 10 and <= 10_000, "Rtc:FrameLossTimeoutMs must be 10..10000.")
            .Validate(o => o.EncoderCpuUsed is >= -16 and <= 16, "Rtc:EncoderCpuUsed must be -16..16.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RtcOptions>, IceServersValidation>();
    }
}
