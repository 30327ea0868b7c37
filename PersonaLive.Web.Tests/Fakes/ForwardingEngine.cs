using PersonaLive.Inference.Engines;

namespace PersonaLive.Web.Tests.Fakes;

/// <summary>An engine that hands everything to <paramref name="inner"/>; tests override <see cref="Animate"/> to watch or hold chunks.</summary>
internal abstract class ForwardingEngine(IAnimationEngine inner) : IAnimationEngine
{
    public string Name => inner.Name;
    public int ChunkSize => inner.ChunkSize;
    public int OutputSize => inner.OutputSize;
    public void SetPortrait(PreparedPortrait portrait) => inner.SetPortrait(portrait);
    public void Recenter() => inner.Recenter();
    public virtual IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk) => inner.Animate(chunk);
    public virtual void Dispose() => inner.Dispose();
}
