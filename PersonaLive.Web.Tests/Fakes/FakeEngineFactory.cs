using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Web.Tests.Fakes;

/// <summary>An engine factory whose status and portrait outcome the test chooses; engines come from <see cref="CreateEngineWith"/>.</summary>
internal sealed class FakeEngineFactory(string name, EngineStatus status) : IAnimationEngineFactory
{
    public string Name => name;
    public EngineStatus Status { get; set; } = status;
    public Func<ReadOnlyMemory<byte>, PortraitResult> Prepare { get; set; } = _ => PortraitResult.Ok(new PreparedPortrait(new RgbaImage(8, 8), 8));
    public Func<IAnimationEngine> CreateEngineWith { get; set; } = () => throw new NotSupportedException();
    public int WarmUps;

    public Task WarmUpAsync(IProgress<EngineStatus>? progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref WarmUps);
        progress?.Report(Status);
        return Task.CompletedTask;
    }

    public int PrepareCalls;

    public Task<PortraitResult> PreparePortraitAsync(ReadOnlyMemory<byte> encodedImage, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref PrepareCalls);
        return Task.FromResult(Prepare(encodedImage));
    }

    public IAnimationEngine CreateEngine() => CreateEngineWith();
}
