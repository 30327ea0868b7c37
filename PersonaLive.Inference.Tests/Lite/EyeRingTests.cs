using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Lite;
using PersonaLive.Inference.Tests.Support;

namespace PersonaLive.Inference.Tests.Lite;

/// <summary>
/// The eye rings a closing lid samples its skin from (<see cref="FaceShape"/>) are where the lid code assumes: on
/// a real portrait each ring point lies beyond its lid point (above the upper lid, further above the second ring,
/// below the lower lid) and beside it, so moving a lid's source towards its ring reaches skin, not another part.
/// </summary>
public sealed class EyeRingTests
{
    [Fact]
    public async Task EachRingPointLiesBeyondItsLidPoint()
    {
        await TestData.ModelsAsync();
        using var factory = new LiteEngineFactory(new EngineOptions { ModelDirectory = TestData.ModelDirectory }, NullLoggerFactory.Instance);
        await factory.WarmUpAsync(null, TestContext.Current.CancellationToken);
        var prepared = await factory.PreparePortraitAsync(await RealFaces.PhotoAsync("audrey.jpg"), TestContext.Current.CancellationToken);
        Assert.True(prepared.Succeeded, prepared.Error);
        using var engine = factory.CreateLiteEngine();
        engine.SetPortrait(prepared.Portrait!);
        var p = engine.PortraitLandmarks.ToArray();
        var width = Vector2.Distance(Xy(p[33]), Xy(p[133]));
        void Beyond(int[] near, int[] far, float sign, string what)
        {
            for (var k = 0; k < near.Length; k++)
            {
                Vector2 a = Xy(p[near[k]]), b = Xy(p[far[k]]);
                Assert.True(sign * (b.Y - a.Y) > 0.02f * width, $"{what}: point {far[k]} is not beyond {near[k]} ({a} -> {b})");
                Assert.True(MathF.Abs(b.X - a.X) < 0.35f * width, $"{what}: point {far[k]} is not beside {near[k]} ({a} -> {b})");
            }
        }
        Beyond(FaceShape.RightUpper, FaceShape.RightUpper1, -1, "right upper ring");
        Beyond(FaceShape.RightUpper1, FaceShape.RightUpper2, -1, "right crease ring");
        Beyond(FaceShape.RightLower, FaceShape.RightLower1, 1, "right lower ring");
        Beyond(FaceShape.LeftUpper, FaceShape.LeftUpper1, -1, "left upper ring");
        Beyond(FaceShape.LeftUpper1, FaceShape.LeftUpper2, -1, "left crease ring");
        Beyond(FaceShape.LeftLower, FaceShape.LeftLower1, 1, "left lower ring");
    }

    private static Vector2 Xy(Vector3 v) => new(v.X, v.Y);
}
