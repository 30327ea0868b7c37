using PersonaLive.TestSupport;
using System.Runtime.InteropServices;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>libvpx 1.12 wrapper: struct layout against the header values, and encode/decode round trips.</summary>
public sealed class VpxTests
{
    internal static void SkipWithoutLibvpx()
    {
        if (!NativeLibrary.TryLoad("libvpx.so.7", out var h))
        {
            Prerequisite.Missing("libvpx.so.7 is not installed (apt-get install libvpx7).");
        }

        NativeLibrary.Free(h);
    }

    [Fact]
    public void Mirrored_structs_and_offsets_match_the_debian_1_12_headers()
    {
        // Values printed with sizeof/offsetof from libvpx-dev 1.12.0-1+deb12u5 (vpx_image.h, vpx_encoder.h).
        Assert.Equal(136, Marshal.SizeOf<VpxImage>());
        Assert.Equal(24, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.DisplayWidth)));
        Assert.Equal(28, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.DisplayHeight)));
        Assert.Equal(48, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.PlaneY)));
        Assert.Equal(56, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.PlaneU)));
        Assert.Equal(64, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.PlaneV)));
        Assert.Equal(80, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.StrideY)));
        Assert.Equal(84, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.StrideU)));
        Assert.Equal(88, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.StrideV)));
        Assert.Equal(104, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.UserPriv)));
        Assert.Equal(128, (int)Marshal.OffsetOf<VpxImage>(nameof(VpxImage.FrameBufferPriv)));
        Assert.Equal(25, VpxLayout.EncoderAbiVersion);
        Assert.Equal(12, VpxLayout.DecoderAbiVersion);
        Assert.True(VpxLayout.OpaqueBlockSize > VpxLayout.EncoderConfigSize);
        Assert.True(VpxLayout.OpaqueBlockSize > VpxLayout.CodecContextSize);
        int[] cfg = [VpxLayout.GThreads, VpxLayout.GWidth, VpxLayout.GHeight, VpxLayout.GTimebaseNum, VpxLayout.GTimebaseDen,
            VpxLayout.GErrorResilient, VpxLayout.GPass, VpxLayout.GLagInFrames, VpxLayout.RcDropframeThresh, VpxLayout.RcResizeAllowed,
            VpxLayout.RcEndUsage, VpxLayout.RcTargetBitrate, VpxLayout.RcMinQuantizer, VpxLayout.RcMaxQuantizer,
            VpxLayout.RcUndershootPct, VpxLayout.RcOvershootPct, VpxLayout.RcBufSz, VpxLayout.RcBufInitialSz, VpxLayout.RcBufOptimalSz,
            VpxLayout.KfMode, VpxLayout.KfMinDist, VpxLayout.KfMaxDist];
        Assert.Equal([4, 12, 16, 28, 32, 36, 40, 44, 48, 52, 72, 112, 116, 120, 124, 128, 132, 136, 140, 160, 164, 168], cfg);
        Assert.Equal([0, 8, 16, 24, 40], new[] { VpxLayout.PktKind, VpxLayout.PktFrameBuf, VpxLayout.PktFrameSize, VpxLayout.PktFramePts, VpxLayout.PktFrameFlags });
    }

    internal static I420Frame Pattern(int w, int h, int t)
    {
        var f = I420Frame.Create(w, h);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                f.Buffer[y * f.StrideY + x] = (byte)(x < w / 2 ? 60 + (t % 8) : 190);
            }
        }

        f.U.Fill(90);
        f.V.Fill(170);
        return f;
    }

    [Fact]
    public void Encode_decode_round_trip_keeps_content_with_padded_strides()
    {
        SkipWithoutLibvpx();
        using var encoder = new VpxEncoder(new VpxEncoderOptions { Width = 320, Height = 240, BitrateKbps = 800 });
        using var decoder = new VpxDecoder();
        I420Frame? last = null;
        int keyframes = 0;
        for (int i = 0; i < 40; i++)
        {
            foreach (var frame in encoder.Encode(Pattern(320, 240, i), i * 3000L, forceKeyframe: i == 20))
            {
                keyframes += frame.IsKeyframe ? 1 : 0;
                if (i == 0)
                {
                    Assert.True(frame.IsKeyframe);
                    Assert.True(Vp8PayloadDescriptor.TryReadKeyframeSize(frame.Data, out int w, out int h));
                    Assert.Equal((320, 240), (w, h));
                }

                if (i == 20)
                {
                    Assert.True(frame.IsKeyframe);
                }

                Assert.True(decoder.TryDecode(frame.Data, out last));
            }
        }

        Assert.Equal(2, keyframes);
        Assert.InRange(encoder.LastQuantizer, 0, 63);
        Assert.NotNull(last);
        Assert.Equal((320, 240), (last!.Width, last.Height));
        Assert.True(last.StrideY >= 320);
        Assert.InRange(last.MeanY(0, 0, 150, 240), 50, 80);
        Assert.InRange(last.MeanY(170, 0, 150, 240), 180, 200);
        Assert.InRange(last.MeanChroma(0), 85, 95);
        Assert.InRange(last.MeanChroma(1), 165, 175);
    }

    [Fact]
    public void Bitrate_changes_at_run_time_within_bounds()
    {
        SkipWithoutLibvpx();
        using var encoder = new VpxEncoder(new VpxEncoderOptions { Width = 160, Height = 120, BitrateKbps = 500, MinBitrateKbps = 100, MaxBitrateKbps = 1000 });
        encoder.SetBitrate(5000);
        Assert.Equal(1000, encoder.BitrateKbps);
        encoder.SetBitrate(10);
        Assert.Equal(100, encoder.BitrateKbps);
        Assert.NotEmpty(encoder.Encode(Pattern(160, 120, 0), 0, false));
    }

    [Fact]
    public void Garbage_does_not_decode_and_does_not_throw()
    {
        SkipWithoutLibvpx();
        using var decoder = new VpxDecoder();
        var garbage = new byte[500];
        new Random(1).NextBytes(garbage);
        garbage[0] = 0x10; // claims a keyframe
        Assert.False(decoder.TryDecode(garbage, out _));
        Assert.False(decoder.TryDecode([], out _));
    }
}
