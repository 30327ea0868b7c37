namespace PersonaLive.Web.Live.GoLive;

/// <summary>Where a Go live publish stands.</summary>
internal enum GoLiveState
{
    /// <summary>Not publishing (never started or stopped by the person).</summary>
    Off,

    /// <summary>Offer posted or ICE/DTLS under way.</summary>
    Connecting,

    /// <summary>Connected: the WHIP server receives the animated output (and the voice).</summary>
    Live,

    /// <summary>The endpoint dropped or could not be reached; the next attempt is at <see cref="GoLiveStatus.RetryAt"/>.</summary>
    Reconnecting,

    /// <summary>Given up: the server refused for good (its reason is in <see cref="GoLiveStatus.Message"/>).</summary>
    Failed,
}

/// <summary>
/// What the Studio shows about a publish: the state, the host published to (never the full URL, which may
/// carry a stream key, and never the token), a message for people, when the next attempt is, and the attempt count.
/// </summary>
internal sealed record GoLiveStatus(GoLiveState State, string? Host, string? Message, DateTimeOffset? RetryAt, int Attempts)
{
    public static readonly GoLiveStatus Off = new(GoLiveState.Off, null, null, null, 0);

    /// <summary>The line the panel shows, e.g. "Reconnecting in 4 s (attempt 3): ...".</summary>
    public string Describe(DateTimeOffset now) => State switch
    {
        GoLiveState.Off => "Not live.",
        GoLiveState.Connecting => $"Connecting to {Host}...",
        GoLiveState.Live => $"Live on {Host}.",
        GoLiveState.Reconnecting => $"Reconnecting in {Math.Max(0, (int)Math.Ceiling((RetryAt!.Value - now).TotalSeconds))} s (attempt {Attempts + 1}): {Message}",
        _ => $"Failed: {Message}",
    };
}
