namespace PersonaLive.WebRtc.Tests.Support;

/// <summary>Tests that run real peers over UDP share this collection so they run one after another, not fighting for 2 cores.</summary>
[CollectionDefinition(Name)]
public sealed class UdpCollection
{
    public const string Name = "udp";
}
