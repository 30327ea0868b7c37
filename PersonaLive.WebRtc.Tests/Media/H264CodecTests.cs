using PersonaLive.Media;
using System.Runtime.InteropServices;
using PersonaLive.TestSupport;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Rtp.H264;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>OpenH264 2.3.1 wrapper: struct layout against the header values, and encode/decode behaviour.</summary>
public sealed class H264CodecTests
{
    internal static void SkipWithoutOpenH264()
    {
        if (!NativeLibrary.TryLoad("libopenh264.so.7", out var h))
        {
            Prerequisite.Missing("libopenh264.so.7 is not installed (apt-get install libopenh264-7).");
        }

        NativeLibrary.Free(h);
    }

    /// <summary>
    /// EXACT values printed by a throw-away C program (sizeof/offsetof/enum values) compiled with gcc
    /// against libopenh264-dev 2.3.1+dfsg-3+deb12u2 (Debian 12, x86-64: codec_api.h, codec_app_def.h,
    /// codec_def.h). CI has no headers, so they are hard-coded here; a difference means our layout no
    /// longer matches OpenH264 and must be fixed, not this table.
    /// </summary>
    [Fact]
    public void Mirrored_structs_and_offsets_match_the_debian_2_3_1_headers()
    {
        Assert.Equal(72, Marshal.SizeOf<SourcePicture>());
        Assert.Equal([0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 60, 64],
            new[] { "ColorFormat", "StrideY", "StrideU", "StrideV", "StrideA", "PlaneY", "PlaneU", "PlaneV", "PlaneA", "Width", "Height", "TimestampMs" }
                .Select(f => (int)Marshal.OffsetOf<SourcePicture>(f)));
        Assert.Equal(72, Marshal.SizeOf<BufferInfo>());
        Assert.Equal([0, 8, 16, 24, 28, 32, 36, 40, 48, 56, 64],
            new[] { "BufferStatus", "InputTimestamp", "OutputTimestamp", "Width", "Height", "Format", "StrideLuma", "StrideChroma", "PlaneY", "PlaneU", "PlaneV" }
                .Select(f => (int)Marshal.OffsetOf<BufferInfo>(f)));
        Assert.Equal(32, Marshal.SizeOf<DecodingParam>());
        Assert.Equal([0, 8, 12, 16, 20, 24, 28],
            new[] { "ReconstructionFile", "CpuLoad", "TargetDqLayer", "ErrorConcealment", "ParseOnly", "VideoPropertySize", "BitstreamType" }
                .Select(f => (int)Marshal.OffsetOf<DecodingParam>(f)));
        Assert.Equal(8, Marshal.SizeOf<BitrateInfo>());

        // SEncParamExt / SSpatialLayerConfig / SFrameBSInfo / SLayerBSInfo, used through offsets
        Assert.Equal((920, 200, 5144, 40), (OpenH264Layout.EncParamExtSize, OpenH264Layout.SpatialLayerConfigSize, OpenH264Layout.FrameBsInfoSize, OpenH264Layout.LayerBsInfoSize));
        Assert.Equal([0, 4, 8, 12, 16, 20, 24, 28, 32, 832, 836, 840, 844, 856, 860, 864, 868, 872, 876, 892, 908, 909, 910, 912, 916],
            new[]
            {
                OpenH264Layout.UsageType, OpenH264Layout.PicWidth, OpenH264Layout.PicHeight, OpenH264Layout.TargetBitrate, OpenH264Layout.RcMode,
                OpenH264Layout.MaxFrameRate, OpenH264Layout.TemporalLayerNum, OpenH264Layout.SpatialLayerNum, OpenH264Layout.SpatialLayers,
                OpenH264Layout.ComplexityMode, OpenH264Layout.IntraPeriod, OpenH264Layout.NumRefFrame, OpenH264Layout.SpsPpsIdStrategy,
                OpenH264Layout.EntropyCodingModeFlag, OpenH264Layout.EnableFrameSkip, OpenH264Layout.MaxBitrate, OpenH264Layout.MaxQp,
                OpenH264Layout.MinQp, OpenH264Layout.MaxNalSize, OpenH264Layout.MultipleThreadIdc, OpenH264Layout.EnableDenoise,
                OpenH264Layout.EnableBackgroundDetection, OpenH264Layout.EnableAdaptiveQuant, OpenH264Layout.EnableSceneChangeDetect,
                OpenH264Layout.IdrBitrateRatio,
            });
        Assert.Equal([0, 4, 8, 12, 16, 20, 24, 32, 180],
            new[]
            {
                OpenH264Layout.LayerWidth, OpenH264Layout.LayerHeight, OpenH264Layout.LayerFrameRate, OpenH264Layout.LayerBitrate,
                OpenH264Layout.LayerMaxBitrate, OpenH264Layout.LayerProfileIdc, OpenH264Layout.LayerLevelIdc, OpenH264Layout.LayerSliceMode,
                OpenH264Layout.LayerSliceSizeConstraint,
            });
        Assert.Equal([0, 8, 5128, 16, 24, 32],
            new[] { OpenH264Layout.FrameLayerNum, OpenH264Layout.FrameLayers, OpenH264Layout.FrameType, OpenH264Layout.LayerNalCount, OpenH264Layout.LayerNalLengths, OpenH264Layout.LayerBuffer });

        // vtable slots (ISVCEncoderVtbl / ISVCDecoderVtbl) and enum values
        Assert.Equal([8, 16, 24, 32, 48, 56, 0, 8, 24, 64],
            new[]
            {
                OpenH264Layout.EncInitializeExt, OpenH264Layout.EncGetDefaultParams, OpenH264Layout.EncUninitialize, OpenH264Layout.EncEncodeFrame,
                OpenH264Layout.EncForceIntraFrame, OpenH264Layout.EncSetOption, OpenH264Layout.DecInitialize, OpenH264Layout.DecUninitialize,
                OpenH264Layout.DecDecodeFrameNoDelay, OpenH264Layout.DecSetOption,
            });
        Assert.Equal([23, 0, 5, 6, 25, 9, 4, 1, 4, 66, 3],
            new[]
            {
                OpenH264Layout.VideoFormatI420, OpenH264Layout.EncoderOptionDataFormat, OpenH264Layout.EncoderOptionBitrate,
                OpenH264Layout.EncoderOptionMaxBitrate, OpenH264Layout.EncoderOptionTraceLevel, OpenH264Layout.DecoderOptionTraceLevel,
                OpenH264Layout.SpatialLayerAll, OpenH264Layout.FrameTypeIdr, OpenH264Layout.FrameTypeSkip, OpenH264Layout.ProfileBaseline,
                OpenH264Layout.SliceModeSizeLimited,
            });
    }

    [Fact]
    public void Encode_decode_round_trip_keeps_content_and_forces_an_idr_on_demand()
    {
        SkipWithoutOpenH264();
        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 320, Height = 240, BitrateKbps = 800 });
        using var decoder = new H264Decoder();
        I420Frame? last = null;
        var idrFrames = new List<int>();
        var nals = new List<(int Offset, int Length)>();
        for (int i = 0; i < 40; i++)
        {
            foreach (var frame in encoder.Encode(VpxTests.Pattern(320, 240, i), i * 3000L, forceKeyframe: i == 20))
            {
                if (frame.IsKeyframe)
                {
                    idrFrames.Add(i);
                    nals.Clear();
                    H264Nal.Split(frame.Data, nals);
                    var types = nals.Select(n => H264Nal.TypeOf(frame.Data[n.Offset])).ToArray();
                    Assert.Equal([H264Nal.Sps, H264Nal.Pps, H264Nal.IdrSlice], types.Where(t => t != H264Nal.Sei));
                    var sps = frame.Data.AsSpan(nals[0].Offset, 4).ToArray();
                    Assert.Equal(0x42, sps[1]);                       // profile_idc 66: Baseline
                    Assert.True((sps[2] & 0x40) != 0, "constraint_set1_flag: Constrained Baseline");
                    Assert.Equal(31, sps[3]);                         // level 3.1
                }

                Assert.Equal(i * 3000L, frame.Pts);
                Assert.True(decoder.TryDecode(frame.Data, out last), $"frame {i} did not decode");
            }
        }

        Assert.Equal([0, 20], idrFrames);
        Assert.NotNull(last);
        Assert.Equal((320, 240), (last!.Width, last.Height));
        Assert.InRange(last.MeanY(0, 0, 150, 240), 50, 80);
        Assert.InRange(last.MeanY(170, 0, 150, 240), 180, 200);
        Assert.InRange(last.MeanChroma(0), 85, 95);
        Assert.InRange(last.MeanChroma(1), 165, 175);
    }

    [Fact]
    public void Bitrate_changes_at_run_time_within_bounds_and_steers_the_size()
    {
        SkipWithoutOpenH264();
        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 320, Height = 240, BitrateKbps = 1500, MinBitrateKbps = 100, MaxBitrateKbps = 3000 });
        long Bytes(int from)
        {
            long total = 0;
            for (int i = from; i < from + 30; i++)
            {
                total += encoder.Encode(MovingTexture(i), i * 3000L, false).Sum(e => e.Data.Length);
            }

            return total;
        }

        long high = Bytes(0);
        encoder.SetBitrate(10);
        Assert.Equal(100, encoder.BitrateKbps);
        long low = Bytes(30);
        encoder.SetBitrate(99_999);
        Assert.Equal(3000, encoder.BitrateKbps);
        Assert.True(low * 2 < high, $"100 kb/s produced {low} bytes, 1500 kb/s {high}");
    }

    [Fact]
    public void Small_max_nal_size_gives_slices_that_fit_packetization_mode_0()
    {
        SkipWithoutOpenH264();
        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 320, Height = 240, BitrateKbps = 2000, MaxNalSize = 1000 });
        var frame = encoder.Encode(NoisyPattern(1), 0, true).Single();
        var nals = new List<(int Offset, int Length)>();
        H264Nal.Split(frame.Data, nals);
        Assert.True(nals.Count(n => H264Nal.TypeOf(frame.Data[n.Offset]) == H264Nal.IdrSlice) > 1, "a noisy IDR should need several slices");
        Assert.All(nals, n => Assert.True(n.Length <= 1000, $"NAL of {n.Length} bytes"));
        using var decoder = new H264Decoder();
        Assert.True(decoder.TryDecode(frame.Data, out var picture));
        Assert.Equal(320, picture!.Width);
    }

    [Fact]
    public void Garbage_and_inter_frames_without_a_start_do_not_decode_and_do_not_throw()
    {
        SkipWithoutOpenH264();
        using var decoder = new H264Decoder();
        var garbage = new byte[500];
        new Random(1).NextBytes(garbage);
        Assert.False(decoder.TryDecode(garbage, out _));
        Assert.False(decoder.TryDecode([], out _));
        Assert.False(decoder.TryDecode([0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x33], out _)); // IDR slice without SPS/PPS

        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 160, Height = 120 });
        encoder.Encode(VpxTests.Pattern(160, 120, 0), 0, false);
        var inter = encoder.Encode(VpxTests.Pattern(160, 120, 1), 3000, false).Single();
        Assert.False(inter.IsKeyframe);
        using var fresh = new H264Decoder();
        Assert.False(fresh.TryDecode(inter.Data, out _));
    }

    [Fact]
    public void A_negotiated_level_too_low_for_the_picture_is_raised_by_openh264_not_refused()
    {
        SkipWithoutOpenH264();
        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 512, Height = 512, LevelIdc = 10 });
        var frame = encoder.Encode(I420Frame.Create(512, 512), 0, true).Single();
        var nals = new List<(int Offset, int Length)>();
        H264Nal.Split(frame.Data, nals);
        Assert.True(frame.Data[nals[0].Offset + 3] >= 30, $"SPS level_idc {frame.Data[nals[0].Offset + 3]} for 1024 macroblocks");
        using var decoder = new H264Decoder();
        Assert.True(decoder.TryDecode(frame.Data, out _));
    }

    [Fact]
    public void Wrong_sizes_are_refused_with_clear_errors()
    {
        SkipWithoutOpenH264();
        Assert.Throws<ArgumentOutOfRangeException>(() => new H264Encoder(new H264EncoderOptions { Width = 161, Height = 120 }));
        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 160, Height = 120 });
        Assert.Throws<ArgumentException>(() => encoder.Encode(I420Frame.Create(320, 240), 0, false));
    }

    internal static I420Frame MovingTexture(int t)
    {
        var f = VpxTests.Pattern(320, 240, t);
        var random = new Random(t);
        for (int y = 0; y < 240; y++)
        {
            for (int x = 0; x < 320; x++)
            {
                f.Buffer[y * f.StrideY + x] = (byte)(((x * 3) ^ (y * 5)) + t * 4 + random.Next(4));
            }
        }

        return f;
    }

    internal static I420Frame NoisyPattern(int seed)
    {
        var f = VpxTests.Pattern(320, 240, seed);
        new Random(seed).NextBytes(f.Y);
        return f;
    }
}
