namespace PersonaLive.TestSupport;

/// <summary>One stretch of a scenario: the link shape (both directions alike) for some seconds.</summary>
/// <param name="Shape">The link during this stretch.</param>
/// <param name="Seconds">How long it lasts.</param>
internal sealed record ScenarioPhase(LinkShape Shape, double Seconds);

/// <summary>
/// A network the lab plays to a session: one or more phases (a capacity step is three). The catalogue
/// holds the conditions live video is judged on: a decent uplink, a slow lossy one, a very slow
/// high-latency one, a capacity drop and recovery, bursty loss. <see cref="Scaled"/> shortens a scenario
/// for CI (the benchmark runs the full length).
/// </summary>
/// <param name="Name">Short name (used in benchmark keys and logs).</param>
/// <param name="Phases">The phases in order.</param>
internal sealed record NetworkScenario(string Name, IReadOnlyList<ScenarioPhase> Phases)
{
    /// <summary>2 Mbit/s, 40 ms round trip.</summary>
    public static NetworkScenario TwoMbit(double seconds = 20) => new("2mbit", [new(new LinkShape(2000, 20), seconds)]);

    /// <summary>1 Mbit/s, 100 ms round trip, 1 % random loss.</summary>
    public static NetworkScenario OneMbit(double seconds = 30) => new("1mbit", [new(new LinkShape(1000, 50, 1), seconds)]);

    /// <summary>500 kbit/s, 200 ms round trip.</summary>
    public static NetworkScenario Slow(double seconds = 20) => new("500k", [new(new LinkShape(500, 100), seconds)]);

    /// <summary>3 Mbit/s, then 0.6 Mbit/s, then 3 Mbit/s again, 40 ms round trip.</summary>
    public static NetworkScenario Step(double high = 12, double low = 10, double after = 15) => new("step",
    [
        new(new LinkShape(3000, 20), high), new(new LinkShape(600, 20), low), new(new LinkShape(3000, 20), after),
    ]);

    /// <summary>2 Mbit/s, 40 ms round trip, 5 % loss in bursts (Gilbert-Elliott, mean burst 3 packets).</summary>
    public static NetworkScenario Bursty(double seconds = 20) => new("bursty", [new(new LinkShape(2000, 20, 5, 3), seconds)]);

    /// <summary>The five scenarios at full length.</summary>
    public static IReadOnlyList<NetworkScenario> All => [TwoMbit(), OneMbit(), Slow(), Step(), Bursty()];

    /// <summary>Total length in seconds.</summary>
    public double Seconds => Phases.Sum(p => p.Seconds);

    /// <summary>The same phases, each <paramref name="factor"/> as long.</summary>
    public NetworkScenario Scaled(double factor) => this with { Phases = Phases.Select(p => p with { Seconds = p.Seconds * factor }).ToList() };

    /// <summary>When phase <paramref name="index"/> starts, in seconds after the scenario's start.</summary>
    public double PhaseStart(int index) => Phases.Take(index).Sum(p => p.Seconds);
}
