using PersonaLive.TestSupport;
using System.Runtime.InteropServices;
using PersonaLive.Media;
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

    /// <summary>
    /// EXACT values printed by a throw-away C program (sizeof/offsetof/enum values) compiled with gcc
    /// against libvpx-dev 1.12.0-1+deb12u5 (Debian 12, x86-64: vpx_image.h, vpx_encoder.h,
    /// vpx_decoder.h, vp8cx.h). CI has no headers, so they are hard-coded here; a difference means our
    /// C# layout no longer matches libvpx and must be fixed, not this table.
    /// </summary>
    [Fact]
    public void Mirrored_structs_and_offsets_match_the_debian_1_12_headers()
    {
        // vpx_image_t (mirrored as VpxImage)
        Assert.Equal(136, VpxLayout.ImageSize);
        Assert.Equal(136, Marshal.SizeOf<VpxImage>());
        (string Field, int Offset)[] image =
        [
            (nameof(VpxImage.Format), 0), (nameof(VpxImage.ColorSpace), 4), (nameof(VpxImage.Range), 8),
            (nameof(VpxImage.W), 12), (nameof(VpxImage.H), 16), (nameof(VpxImage.BitDepth), 20),
            (nameof(VpxImage.DisplayWidth), 24), (nameof(VpxImage.DisplayHeight), 28),
            (nameof(VpxImage.RenderWidth), 32), (nameof(VpxImage.RenderHeight), 36),
            (nameof(VpxImage.XChromaShift), 40), (nameof(VpxImage.YChromaShift), 44),
            (nameof(VpxImage.PlaneY), 48), (nameof(VpxImage.PlaneU), 56), (nameof(VpxImage.PlaneV), 64), (nameof(VpxImage.PlaneA), 72),
            (nameof(VpxImage.StrideY), 80), (nameof(VpxImage.StrideU), 84), (nameof(VpxImage.StrideV), 88), (nameof(VpxImage.StrideA), 92),
            (nameof(VpxImage.BitsPerSample), 96), (nameof(VpxImage.UserPriv), 104), (nameof(VpxImage.ImgData), 112),
            (nameof(VpxImage.ImgDataOwner), 120), (nameof(VpxImage.SelfAllocated), 124), (nameof(VpxImage.FrameBufferPriv), 128),
        ];
        Assert.Equal(image, image.Select(f => (f.Field, (int)Marshal.OffsetOf<VpxImage>(f.Field))).ToArray());

        // vpx_codec_dec_cfg_t (mirrored as VpxDecoderConfig): unsigned threads, w, h
        Assert.Equal(12, VpxLayout.DecoderConfigSize);
        Assert.Equal(12, Marshal.SizeOf<VpxDecoderConfig>());
        Assert.Equal([0, 4, 8], new[] { nameof(VpxDecoderConfig.Threads), nameof(VpxDecoderConfig.W), nameof(VpxDecoderConfig.H) }
            .Select(f => (int)Marshal.OffsetOf<VpxDecoderConfig>(f)));

        // opaque blocks: sizeof(vpx_codec_enc_cfg_t), sizeof(vpx_codec_ctx_t), sizeof(vpx_codec_cx_pkt_t)
        Assert.Equal(504, VpxLayout.EncoderConfigSize);
        Assert.Equal(56, VpxLayout.CodecContextSize);
        Assert.Equal(136, VpxLayout.CxPacketSize);
        Assert.True(VpxLayout.OpaqueBlockSize >= VpxLayout.EncoderConfigSize && VpxLayout.OpaqueBlockSize >= VpxLayout.CodecContextSize
            && VpxLayout.OpaqueBlockSize >= VpxLayout.ImageSize);

        // vpx_codec_enc_cfg_t fields we write (all 4-byte unsigned int / enum / int in the header)
        int[] cfg = [VpxLayout.GThreads, VpxLayout.GWidth, VpxLayout.GHeight, VpxLayout.GTimebaseNum, VpxLayout.GTimebaseDen,
            VpxLayout.GErrorResilient, VpxLayout.GPass, VpxLayout.GLagInFrames, VpxLayout.RcDropframeThresh, VpxLayout.RcResizeAllowed,
            VpxLayout.RcEndUsage, VpxLayout.RcTargetBitrate, VpxLayout.RcMinQuantizer, VpxLayout.RcMaxQuantizer,
            VpxLayout.RcUndershootPct, VpxLayout.RcOvershootPct, VpxLayout.RcBufSz, VpxLayout.RcBufInitialSz, VpxLayout.RcBufOptimalSz,
            VpxLayout.KfMode, VpxLayout.KfMinDist, VpxLayout.KfMaxDist];
        Assert.Equal([4, 12, 16, 28, 32, 36, 40, 44, 48, 52, 72, 112, 116, 120, 124, 128, 132, 136, 140, 160, 164, 168], cfg);

        // vpx_codec_cx_pkt_t fields we read: kind (enum, 4), data.frame.buf (8), .sz (size_t, 8), .pts (int64), .flags (uint32)
        Assert.Equal([0, 8, 16, 24, 40], new[] { VpxLayout.PktKind, VpxLayout.PktFrameBuf, VpxLayout.PktFrameSize, VpxLayout.PktFramePts, VpxLayout.PktFrameFlags });

        // ABI versions: VPX_ENCODER_ABI_VERSION, VPX_DECODER_ABI_VERSION
        Assert.Equal(25, VpxLayout.EncoderAbiVersion);
        Assert.Equal(12, VpxLayout.DecoderAbiVersion);

        // enum values and flags: VPX_IMG_FMT_I420, VPX_EFLAG_FORCE_KF, VPX_DL_REALTIME, VPX_FRAME_IS_KEY,
        // VPX_CODEC_CX_FRAME_PKT, VPX_CBR, VPX_ERROR_RESILIENT_DEFAULT, VPX_KF_AUTO
        Assert.Equal(258, VpxLayout.ImgFmtI420);
        Assert.Equal(1L, VpxLayout.EflagForceKf);
        Assert.Equal(1UL, VpxLayout.DeadlineRealtime);
        Assert.Equal(1, VpxLayout.FrameIsKey);
        Assert.Equal(0, VpxLayout.CxFramePkt);
        Assert.Equal(1, VpxLayout.Cbr);
        Assert.Equal(1, VpxLayout.ErrorResilientDefault);
        Assert.Equal(1, VpxLayout.KfAuto);

        // vp8cx.h control ids: SET_CPUUSED, SET_NOISE_SENSITIVITY, SET_STATIC_THRESHOLD, SET_TOKEN_PARTITIONS,
        // GET_LAST_QUANTIZER, SET_MAX_INTRA_BITRATE_PCT
        Assert.Equal([13, 15, 17, 18, 19, 26], new[] { VpxLayout.Vp8eSetCpuUsed, VpxLayout.Vp8eSetNoiseSensitivity,
            VpxLayout.Vp8eSetStaticThreshold, VpxLayout.Vp8eSetTokenPartitions, VpxLayout.Vp8eGetLastQuantizer, VpxLayout.Vp8eSetMaxIntraBitratePct });
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
