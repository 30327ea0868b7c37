using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Components.Pages;

namespace PersonaLive.Web.Tests.Components;

/// <summary>bUnit: the Studio page renders its heading and the engine's name and state.</summary>
public sealed class StudioPageTests : BunitContext
{
    [Fact]
    public void Shows_engine_name_and_state_message()
    {
        Services.AddSingleton<IAnimationEngineFactory>(new FakeEngineFactory("lite", new EngineStatus(EngineState.Provisioning, "Downloading face models", 0.4)));

        var page = Render<Studio>();

        Assert.Equal("Studio", page.Find("h1").TextContent);
        Assert.Equal("lite", page.Find(".engine-name").TextContent);
        var state = page.Find(".engine-state");
        Assert.Equal("Downloading face models", state.TextContent);
        Assert.Contains("state-provisioning", state.ClassList);
    }

    private sealed class FakeEngineFactory(string name, EngineStatus status) : IAnimationEngineFactory
    {
        public string Name => name;
        public EngineStatus Status => status;
        public Task WarmUpAsync(IProgress<EngineStatus>? progress, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<PortraitResult> PreparePortraitAsync(ReadOnlyMemory<byte> encodedImage, CancellationToken cancellationToken) =>
            Task.FromResult(PortraitResult.Fail("not used"));
        public IAnimationEngine CreateEngine() => throw new NotSupportedException();
    }
}
