using PersonaLive.Inference.Engines;

namespace PersonaLive.Web.Tests.Fakes;

/// <summary>An engine whose every chunk fails, for the paths that end a session on an engine error.</summary>
internal sealed class ThrowingEngine : IAnimationEngine
{
    public string Name => "broken";
    public int ChunkSize => 1;
    public int OutputSize => 16;
    public void SetPortrait(PreparedPortrait portrait) { }
    public void Recenter() { }
    public IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk) => throw new InvalidOperationException("model exploded");
    public void Dispose() { }
}
