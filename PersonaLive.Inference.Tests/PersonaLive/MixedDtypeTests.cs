using PersonaLive.Inference.Diffusion.ModelSet;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>
/// Model sets whose networks have different dtypes (each network's tensors follow its own manifest dtype):
/// the set <c>export_onnx.py --dtype fp32</c> writes next to the official fp16 fused step, its inverse, and
/// an all-fp16 set, each run end to end against the all-fp32 tiny set.
/// </summary>
public sealed class MixedDtypeTests
{
    public static TheoryData<string> Mixes => ["fused", "six", "all"];

    private static HashSet<string> Fp16(string mix) => mix switch
    {
        "fused" => [ModelSetContract.FusedStep], // export_onnx.py --dtype fp32 + official unet_opt.onnx
        "six" => [.. ModelSetContract.NetworkKeys.Where(k => k != ModelSetContract.FusedStep)],
        _ => [.. ModelSetContract.NetworkKeys],
    };

    [Theory]
    [MemberData(nameof(Mixes))]
    public void MixedDtypeSetRunsEndToEndAndMatchesTheFp32Set(string mix)
    {
        var fp16 = Fp16(mix);
        using var mixed = new TinyEngine(fp16);
        using var reference = new TinyEngine();
        var g = mixed.Factory.Sessions!.Geometry;
        foreach (var key in ModelSetContract.NetworkKeys) Assert.Equal(fp16.Contains(key), g.IsFp16(key));

        using var a = mixed.Create(seed: 7);
        using var b = reference.Create(seed: 7);
        a.SetPortrait(TinyEngine.Portrait(150));
        b.SetPortrait(TinyEngine.Portrait(150));
        double worst = 0;
        for (var call = 0; call < 12; call++)
        {
            var chunk = TinyEngine.Chunk(TinyEngine.Moving, call);
            foreach (var f in a.Animate(chunk)) f.Image.Dispose();
            foreach (var f in b.Animate(chunk)) f.Image.Dispose();
            var x = a.Fused.PredVideo.Data;
            var y = b.Fused.PredVideo.Data;
            Assert.Equal(y.Length, x.Length);
            for (var i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{mix}: max |pred_video fp16-mixed - fp32| = {worst:E3}");
        // pred_video lies in [0,1]; fp16 keeps 11 significant bits (relative step 2^-11 ~ 4.9e-4 near 1). Every
        // value crossing an fp16 boundary (inputs, outputs, carried state, the official fp16 noise coefficients)
        // adds about one such step, and the tiny networks are contractive (means, tanh). Measured over 12
        // calls: 1.6e-3 with an fp16 fused step, 3.8e-5 with only the six others in fp16. 5e-3 (~1.3 of 255)
        // leaves 3x margin and still catches a wrong conversion: a tensor read with the wrong element type
        // gives garbage or an ONNX Runtime type error, not a sub-percent difference.
        Assert.True(worst < 5e-3, $"{mix}: max difference {worst} to the fp32 set");
    }
}
