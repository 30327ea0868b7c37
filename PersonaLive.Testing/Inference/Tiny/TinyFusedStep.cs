using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Diffusion.Tiny;

/// <summary>
/// The tiny fused step: the official <c>unet_work</c> data flow with a trivial denoiser
/// (eps = tanh(sample)/2 + 0.2·mean pose feature + 0.2·mean motion + 0.05·(mean of every reference state + mean embed)).
/// </summary>
internal static class TinyFusedStep
{
    public static OnnxGraph Build()
    {
        var g = new TinyGraph("unet_work");
        var poseNew = TinyModelSet.PoseGuider(g, "pose");
        var pose = g.Concat(2, "pose_cond_fea", poseNew);                       // (1,Cp,16,h,w)
        var motionNew = TinyModelSet.MotionEncoder(g, "motion");
        var motion = g.Concat(1, "motion_hidden_states", motionNew);            // (1,16,32,16)

        var poseTerm = g.Mean(pose, 1);                                         // (1,1,16,h,w)
        var motionTerm = g.Op("Reshape", g.Mean(motion, 2, 3), g.Ints(1, 1, 16, 1, 1));
        var refs = ModelSetContract.ReferenceNames.Select(g.MeanAll).ToArray();
        var context = g.Op("Add", g.Op("Sum", refs), g.MeanAll("encoder_hidden_states"));
        var eps = g.Op("Add",
            g.Op("Add", g.Scale(g.Op("Tanh", "sample"), 0.5f), g.Scale(poseTerm, 0.2f)),
            g.Op("Add", g.Scale(motionTerm, 0.2f), g.Scale(context, 0.05f)));

        // One DDIM step per frame: t = 0,0,0,0,333,...,999 baked in, as in the official export.
        var s = DdimSchedule.Default;
        float[] sa = new float[16], sn = new float[16], spa = new float[16], spn = new float[16];
        for (var f = 0; f < 16; f++)
        {
            var t = DdimSchedule.WindowTimesteps[f / 4];
            sa[f] = (float)Math.Sqrt(s.AlphaCumprod(t));
            sn[f] = (float)Math.Sqrt(1 - s.AlphaCumprod(t));
            spa[f] = (float)Math.Sqrt(s.AlphaPrev(t));
            spn[f] = (float)Math.Sqrt(1 - s.AlphaPrev(t));
        }
        string PerFrame(float[] v) => g.Const(v, 1, 1, 16, 1, 1);
        var x0 = g.Op("Div", g.Op("Sub", "sample", g.Op("Mul", eps, PerFrame(sn))), PerFrame(sa));
        var prev = g.Op("Add", g.Op("Mul", x0, PerFrame(spa)), g.Op("Mul", eps, PerFrame(spn)));

        // Decode x0 of frames 0..3: 3 channels, 8x nearest upsampling, NHWC, tanh, then x/2 + 0.5 clamped.
        var rgb = g.Slice(g.Slice(x0, 2, 0, 4), 1, 0, 3);
        var up = g.Op("Resize", [rgb, "", g.Const([1, 1, 1, 8, 8], 5)], n => n.Attr("mode", "nearest"));
        var nhwc = g.Squeeze(g.Op("Transpose", [up], n => n.Attr("perm", new long[] { 0, 2, 3, 4, 1 })), 0);
        var image = g.Op("Add", g.Scale(g.Op("Tanh", g.Scale(nhwc, 0.5f)), 0.5f), g.Scalar(0.5f));
        g.Output(g.Op("Clip", image, g.Scalar(0), g.Scalar(1)), "pred_video");

        g.Output(g.Concat(2, g.Slice(prev, 2, 4, 16), "new_noise"), "latents");
        g.Output(g.Slice(pose, 2, 4, 16), "pose_cond_fea_out");
        g.Output(g.Slice(motion, 1, 4, 16), "motion_hidden_states_out");
        g.Output(g.Slice(motion, 1, 0, 1), "motion_out");
        g.Output(g.Squeeze(g.Slice(x0, 2, 0, 1), 2), "latent_first");
        return g.Graph;
    }
}
