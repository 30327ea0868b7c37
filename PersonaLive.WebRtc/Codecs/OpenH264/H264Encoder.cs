using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// Realtime H.264 encoder over OpenH264 2.3.1: camera real-time usage, Constrained Baseline (CAVLC, no
/// B frames), bitrate rate control without frame skipping, constant SPS/PPS ids (a decoder joining at any
/// IDR sees the same ids), IDR forced on demand, bitrate changeable at run time. Output is an Annex B
/// access unit (start codes, SPS+PPS before each IDR). Timestamps are in 1/90000 s. Not thread-safe.
/// </summary>
public sealed unsafe class H264Encoder : ICodecEncoder
{
    private readonly OpenH264EncoderHandle _encoder;
    private readonly OpenH264BlockHandle _frameInfo;
    private readonly H264EncoderOptions _options;
    private long _lastPts = long.MinValue;
    private byte[] _output = new byte[64 * 1024];

    public H264Encoder(H264EncoderOptions options)
    {
        _options = options;
        if (options.Width <= 0 || options.Height <= 0 || options.Width > 4096 || options.Height > 4096 || (options.Width | options.Height) % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Frame size must be even and 2..4096.");
        }

        _encoder = OpenH264EncoderHandle.Create();
        _frameInfo = OpenH264BlockHandle.Allocate(OpenH264Layout.FrameBsInfoSize);
        try
        {
            BitrateKbps = Math.Clamp(options.BitrateKbps, options.MinBitrateKbps, options.MaxBitrateKbps);
            nint enc = _encoder.Object;
            int quiet = OpenH264Layout.TraceLevelQuiet;
            OpenH264Status.Check(OpenH264Native.EncSetOption(enc, OpenH264Layout.EncoderOptionTraceLevel, &quiet), "SetOption(TRACE_LEVEL)");
            byte* p = stackalloc byte[OpenH264Layout.EncParamExtSize];
            new Span<byte>(p, OpenH264Layout.EncParamExtSize).Clear();
            OpenH264Status.Check(OpenH264Native.EncGetDefaultParams(enc, p), "GetDefaultParams");
            CheckDefaults(p);
            Configure(p, options, BitrateKbps);
            OpenH264Status.Check(OpenH264Native.EncInitializeExt(enc, p), "InitializeExt");
            _encoder.IsInitialized = true;
            int format = OpenH264Layout.VideoFormatI420;
            OpenH264Status.Check(OpenH264Native.EncSetOption(enc, OpenH264Layout.EncoderOptionDataFormat, &format), "SetOption(DATAFORMAT)");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Width => _options.Width;

    public int Height => _options.Height;

    public int BitrateKbps { get; private set; }

    public void SetBitrate(int kbps)
    {
        kbps = Math.Clamp(kbps, _options.MinBitrateKbps, _options.MaxBitrateKbps);
        if (kbps == BitrateKbps)
        {
            return;
        }

        var info = new BitrateInfo { Layer = OpenH264Layout.SpatialLayerAll, Bitrate = kbps * 1000 };
        OpenH264Status.Check(OpenH264Native.EncSetOption(_encoder.Object, OpenH264Layout.EncoderOptionBitrate, &info), "SetOption(BITRATE)");
        BitrateKbps = kbps;
    }

    /// <summary>
    /// Encodes one picture (must match the configured size) into a new array. <paramref name="pts90k"/> must
    /// increase; a non-increasing value is bumped by one tick. Returns the access unit, or none when skipped.
    /// The send path uses the allocation-free <see cref="TryEncode"/> instead.
    /// </summary>
    public IReadOnlyList<EncodedFrame> Encode(I420Frame frame, long pts90k, bool forceKeyframe) =>
        TryEncode(frame, pts90k, forceKeyframe, out var data, out bool key) ? [new EncodedFrame(data.ToArray(), key, _lastPts)] : [];

    /// <summary>
    /// Encodes one picture like <see cref="Encode"/> into a buffer this encoder reuses: <paramref name="data"/>
    /// is valid until the next call. False when OpenH264 skipped the picture.
    /// </summary>
    public bool TryEncode(I420Frame frame, long pts90k, bool forceKeyframe, out ReadOnlyMemory<byte> data, out bool isKeyframe)
    {
        ArgumentNullException.ThrowIfNull(frame);
        data = default;
        isKeyframe = false;
        if (frame.Width != _options.Width || frame.Height != _options.Height)
        {
            throw new ArgumentException($"Frame is {frame.Width}x{frame.Height}; the encoder expects {_options.Width}x{_options.Height}.", nameof(frame));
        }

        if (pts90k <= _lastPts)
        {
            pts90k = _lastPts + 1;
        }

        _lastPts = pts90k;
        nint enc = _encoder.Object;
        if (forceKeyframe)
        {
            OpenH264Status.Check(OpenH264Native.EncForceIntraFrame(enc, idr: true), "ForceIntraFrame");
        }

        byte* info = _frameInfo.Pointer;
        fixed (byte* pixels = frame.Buffer)
        {
            var picture = new SourcePicture
            {
                ColorFormat = OpenH264Layout.VideoFormatI420,
                StrideY = frame.StrideY,
                StrideU = frame.StrideU,
                StrideV = frame.StrideV,
                PlaneY = pixels,
                PlaneU = pixels + frame.OffsetU,
                PlaneV = pixels + frame.OffsetV,
                Width = frame.Width,
                Height = frame.Height,
                TimestampMs = pts90k / 90,
            };
            OpenH264Status.Check(OpenH264Native.EncEncodeFrame(enc, &picture, info), "EncodeFrame");
        }

        int type = *(int*)(info + OpenH264Layout.FrameType);
        if (type == OpenH264Layout.FrameTypeSkip || type == OpenH264Layout.FrameTypeInvalid)
        {
            return false;
        }

        int length = CollectAccessUnit(info);
        data = _output.AsMemory(0, length);
        isKeyframe = type == OpenH264Layout.FrameTypeIdr;
        return length > 0;
    }

    /// <summary>Copies the frame's layers into <see cref="_output"/> (grown to the largest unit, then kept); returns the length.</summary>
    private int CollectAccessUnit(byte* info)
    {
        int layers = Math.Clamp(*(int*)(info + OpenH264Layout.FrameLayerNum), 0, OpenH264Layout.MaxLayersPerFrame);
        int written = 0;
        for (int i = 0; i < layers; i++)
        {
            byte* layer = info + OpenH264Layout.FrameLayers + i * OpenH264Layout.LayerBsInfoSize;
            int nals = *(int*)(layer + OpenH264Layout.LayerNalCount);
            int* lengths = *(int**)(layer + OpenH264Layout.LayerNalLengths);
            byte* buffer = *(byte**)(layer + OpenH264Layout.LayerBuffer);
            long size = 0;
            for (int n = 0; n < nals; n++)
            {
                size += lengths[n];
            }

            if (size <= 0 || size > 16 * 1024 * 1024 || buffer is null)
            {
                continue;
            }

            if (_output.Length < written + size)
            {
                Array.Resize(ref _output, Math.Max(written + (int)size, _output.Length * 2));
            }

            new ReadOnlySpan<byte>(buffer, (int)size).CopyTo(_output.AsSpan(written));
            written += (int)size;
        }

        return written;
    }

    private static void Configure(byte* p, H264EncoderOptions o, int kbps)
    {
        Set(p, OpenH264Layout.UsageType, OpenH264Layout.CameraVideoRealTime);
        Set(p, OpenH264Layout.PicWidth, o.Width);
        Set(p, OpenH264Layout.PicHeight, o.Height);
        Set(p, OpenH264Layout.TargetBitrate, kbps * 1000);
        Set(p, OpenH264Layout.MaxBitrate, o.MaxBitrateKbps * 1000);
        Set(p, OpenH264Layout.RcMode, OpenH264Layout.RcBitrateMode);
        *(float*)(p + OpenH264Layout.MaxFrameRate) = o.FramesPerSecond;
        Set(p, OpenH264Layout.TemporalLayerNum, 1);
        Set(p, OpenH264Layout.SpatialLayerNum, 1);
        Set(p, OpenH264Layout.ComplexityMode, OpenH264Layout.LowComplexity);
        Set(p, OpenH264Layout.IntraPeriod, o.IdrPeriod);
        Set(p, OpenH264Layout.NumRefFrame, 1);
        Set(p, OpenH264Layout.SpsPpsIdStrategy, OpenH264Layout.ConstantId);
        Set(p, OpenH264Layout.EntropyCodingModeFlag, 0);
        p[OpenH264Layout.EnableFrameSkip] = 0;
        Set(p, OpenH264Layout.MaxQp, 51);
        Set(p, OpenH264Layout.MinQp, 10);
        *(ushort*)(p + OpenH264Layout.MultipleThreadIdc) = (ushort)Math.Max(1, o.Threads);
        p[OpenH264Layout.EnableDenoise] = 0;
        p[OpenH264Layout.EnableBackgroundDetection] = 0;
        p[OpenH264Layout.EnableSceneChangeDetect] = 0;

        byte* layer = p + OpenH264Layout.SpatialLayers;
        Set(layer, OpenH264Layout.LayerWidth, o.Width);
        Set(layer, OpenH264Layout.LayerHeight, o.Height);
        *(float*)(layer + OpenH264Layout.LayerFrameRate) = o.FramesPerSecond;
        Set(layer, OpenH264Layout.LayerBitrate, kbps * 1000);
        Set(layer, OpenH264Layout.LayerMaxBitrate, o.MaxBitrateKbps * 1000);
        Set(layer, OpenH264Layout.LayerProfileIdc, OpenH264Layout.ProfileBaseline);
        Set(layer, OpenH264Layout.LayerLevelIdc, o.LevelIdc);
        if (o.MaxNalSize > 0)
        {
            Set(layer, OpenH264Layout.LayerSliceMode, OpenH264Layout.SliceModeSizeLimited);
            Set(layer, OpenH264Layout.LayerSliceSizeConstraint, o.MaxNalSize);
            Set(p, OpenH264Layout.MaxNalSize, o.MaxNalSize);
        }
        else
        {
            Set(layer, OpenH264Layout.LayerSliceMode, OpenH264Layout.SliceModeSingle);
        }
    }

    private static void Set(byte* block, int offset, int value) => *(int*)(block + offset) = value;

    private static int Get(byte* block, int offset) => *(int*)(block + offset);

    /// <summary>Start-up layout self-check: defaults OpenH264 2.3.1 writes (60 fps, one layer each, max QP 51, IDR ratio 400).</summary>
    private static void CheckDefaults(byte* p)
    {
        if (*(float*)(p + OpenH264Layout.MaxFrameRate) != 60f || Get(p, OpenH264Layout.TemporalLayerNum) != 1
            || Get(p, OpenH264Layout.SpatialLayerNum) != 1 || Get(p, OpenH264Layout.MaxQp) != 51
            || Get(p, OpenH264Layout.IdrBitrateRatio) != 400)
        {
            throw new OpenH264Exception($"OpenH264 {OpenH264Status.Version}: SEncParamExt layout differs from the 2.3.1 offsets this wrapper was built for.", 1);
        }
    }

    public void Dispose()
    {
        _encoder?.Dispose();
        _frameInfo?.Dispose();
    }
}
