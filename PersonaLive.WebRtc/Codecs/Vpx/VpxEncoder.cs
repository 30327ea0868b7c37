using PersonaLive.Media;

namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>
/// Realtime VP8 encoder over libvpx (ABI 25): CBR, no lag frames, one pass, error resilient, cpu-used
/// for realtime, keyframe on demand, bitrate changeable at run time via <c>vpx_codec_enc_config_set</c>.
/// Timestamps are in 1/90000 s so the RTP timestamp can be the pts. Not thread-safe; dispose to free the
/// native context.
/// </summary>
public sealed unsafe class VpxEncoder : ICodecEncoder
{
    private readonly NativeBlockHandle _config;
    private readonly NativeBlockHandle _context;
    private readonly NativeBlockHandle _image;
    private readonly VpxEncoderOptions _options;
    private long _lastPts = long.MinValue;
    private byte[] _output = new byte[64 * 1024];
    private int _outputLength;
    private bool _outputKeyframe;

    public VpxEncoder(VpxEncoderOptions options)
    {
        _options = options;
        if (options.Width <= 0 || options.Height <= 0 || options.Width > 4096 || options.Height > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Frame size must be 1..4096.");
        }

        _config = NativeBlockHandle.Allocate(VpxLayout.OpaqueBlockSize);
        _context = NativeBlockHandle.Allocate(VpxLayout.OpaqueBlockSize);
        _image = NativeBlockHandle.Allocate(VpxLayout.OpaqueBlockSize);
        try
        {
            nint iface = VpxNative.vpx_codec_vp8_cx();
            byte* cfg = _config.Pointer;
            VpxStatus.Check(VpxNative.vpx_codec_enc_config_default(iface, cfg, 0), "vpx_codec_enc_config_default");
            CheckDefaults(cfg);
            Set(cfg, VpxLayout.GThreads, options.Threads);
            Set(cfg, VpxLayout.GWidth, options.Width);
            Set(cfg, VpxLayout.GHeight, options.Height);
            Set(cfg, VpxLayout.GTimebaseNum, 1);
            Set(cfg, VpxLayout.GTimebaseDen, 90000);
            Set(cfg, VpxLayout.GErrorResilient, options.ErrorResilient ? VpxLayout.ErrorResilientDefault : 0);
            Set(cfg, VpxLayout.GPass, 0);
            Set(cfg, VpxLayout.GLagInFrames, 0);
            Set(cfg, VpxLayout.RcDropframeThresh, 0);
            Set(cfg, VpxLayout.RcResizeAllowed, 0);
            Set(cfg, VpxLayout.RcEndUsage, VpxLayout.Cbr);
            Set(cfg, VpxLayout.RcTargetBitrate, Math.Clamp(options.BitrateKbps, options.MinBitrateKbps, options.MaxBitrateKbps));
            Set(cfg, VpxLayout.RcMinQuantizer, 2);
            Set(cfg, VpxLayout.RcMaxQuantizer, 56);
            Set(cfg, VpxLayout.RcUndershootPct, 100);
            Set(cfg, VpxLayout.RcOvershootPct, 15);
            Set(cfg, VpxLayout.RcBufSz, 1000);
            Set(cfg, VpxLayout.RcBufInitialSz, 500);
            Set(cfg, VpxLayout.RcBufOptimalSz, 600);
            Set(cfg, VpxLayout.KfMode, VpxLayout.KfAuto);
            Set(cfg, VpxLayout.KfMinDist, 0);
            Set(cfg, VpxLayout.KfMaxDist, options.KeyframeMaxDistance);

            byte* ctx = _context.Pointer;
            VpxStatus.Check(VpxNative.vpx_codec_enc_init_ver(ctx, iface, cfg, 0, VpxLayout.EncoderAbiVersion), "vpx_codec_enc_init_ver");
            _context.IsCodecInitialized = true;
            Control(VpxLayout.Vp8eSetCpuUsed, options.CpuUsed);
            Control(VpxLayout.Vp8eSetStaticThreshold, options.StaticThreshold);
            Control(VpxLayout.Vp8eSetNoiseSensitivity, 0);
            Control(VpxLayout.Vp8eSetTokenPartitions, 0);
            Control(VpxLayout.Vp8eSetMaxIntraBitratePct, 900);

            var img = (VpxImage*)_image.Pointer;
            byte dummy = 0;
            if (VpxNative.vpx_img_wrap(img, VpxLayout.ImgFmtI420, (uint)options.Width, (uint)options.Height, 1, &dummy) is null)
            {
                throw new VpxException("vpx_img_wrap failed.", 1);
            }

            BitrateKbps = Math.Clamp(options.BitrateKbps, options.MinBitrateKbps, options.MaxBitrateKbps);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Width => _options.Width;
    public int Height => _options.Height;

    /// <summary>Current target bitrate in kb/s.</summary>
    public int BitrateKbps { get; private set; }

    /// <summary>Quantizer of the last encoded frame (VP8E_GET_LAST_QUANTIZER; exercises the pointer control path).</summary>
    public int LastQuantizer
    {
        get
        {
            int q = -1;
            VpxStatus.Check(VpxNative.vpx_codec_control_ptr(_context.Pointer, VpxLayout.Vp8eGetLastQuantizer, &q), "VP8E_GET_LAST_QUANTIZER", _context.Pointer);
            return q;
        }
    }

    /// <summary>Changes the target bitrate without re-creating the encoder (clamped to the configured bounds).</summary>
    public void SetBitrate(int kbps)
    {
        kbps = Math.Clamp(kbps, _options.MinBitrateKbps, _options.MaxBitrateKbps);
        if (kbps == BitrateKbps)
        {
            return;
        }

        Set(_config.Pointer, VpxLayout.RcTargetBitrate, kbps);
        VpxStatus.Check(VpxNative.vpx_codec_enc_config_set(_context.Pointer, _config.Pointer), "vpx_codec_enc_config_set", _context.Pointer);
        BitrateKbps = kbps;
    }

    /// <summary>
    /// Encodes one picture (must match the configured size). <paramref name="pts90k"/> must increase;
    /// a non-increasing value is bumped by one tick. Returns the produced frames (normally one) in new
    /// arrays; the send path uses the allocation-free <see cref="TryEncode"/> instead.
    /// </summary>
    public IReadOnlyList<EncodedFrame> Encode(I420Frame frame, long pts90k, bool forceKeyframe)
    {
        var output = new List<EncodedFrame>(1);
        EncodeCore(frame, pts90k, forceKeyframe, output);
        return output;
    }

    /// <summary>
    /// Encodes one picture like <see cref="Encode"/> into a buffer this encoder reuses: <paramref name="data"/>
    /// is valid until the next call. False when libvpx produced no frame. With no lag frames VP8 yields one
    /// frame per picture; were there more, the last is kept.
    /// </summary>
    public bool TryEncode(I420Frame frame, long pts90k, bool forceKeyframe, out ReadOnlyMemory<byte> data, out bool isKeyframe)
    {
        _outputLength = 0;
        _outputKeyframe = false;
        EncodeCore(frame, pts90k, forceKeyframe, null);
        data = _output.AsMemory(0, _outputLength);
        isKeyframe = _outputKeyframe;
        return _outputLength > 0;
    }

    private void EncodeCore(I420Frame frame, long pts90k, bool forceKeyframe, List<EncodedFrame>? output)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Width != _options.Width || frame.Height != _options.Height)
        {
            throw new ArgumentException($"Frame is {frame.Width}x{frame.Height}; the encoder expects {_options.Width}x{_options.Height}.", nameof(frame));
        }

        if (pts90k <= _lastPts)
        {
            pts90k = _lastPts + 1;
        }

        _lastPts = pts90k;
        var img = (VpxImage*)_image.Pointer;
        byte* ctx = _context.Pointer;
        fixed (byte* data = frame.Buffer)
        {
            img->PlaneY = data;
            img->PlaneU = data + frame.OffsetU;
            img->PlaneV = data + frame.OffsetV;
            img->StrideY = frame.StrideY;
            img->StrideU = frame.StrideU;
            img->StrideV = frame.StrideV;
            ulong duration = (ulong)(90000 / Math.Max(1, _options.FramesPerSecond));
            long flags = forceKeyframe ? VpxLayout.EflagForceKf : 0;
            int status = VpxNative.vpx_codec_encode(ctx, img, pts90k, duration, flags, VpxLayout.DeadlineRealtime);
            img->PlaneY = img->PlaneU = img->PlaneV = null;
            VpxStatus.Check(status, "vpx_codec_encode", ctx);
        }

        nint iter = 0;
        byte* pkt;
        while ((pkt = VpxNative.vpx_codec_get_cx_data(ctx, &iter)) is not null)
        {
            if (*(int*)(pkt + VpxLayout.PktKind) != VpxLayout.CxFramePkt)
            {
                continue;
            }

            byte* buf = *(byte**)(pkt + VpxLayout.PktFrameBuf);
            long size = (long)*(nuint*)(pkt + VpxLayout.PktFrameSize);
            long pts = *(long*)(pkt + VpxLayout.PktFramePts);
            uint flagsOut = *(uint*)(pkt + VpxLayout.PktFrameFlags);
            if (size <= 0 || size > 16 * 1024 * 1024)
            {
                continue;
            }

            var bytes = new ReadOnlySpan<byte>(buf, (int)size);
            bool key = (flagsOut & VpxLayout.FrameIsKey) != 0;
            if (output is not null)
            {
                output.Add(new EncodedFrame(bytes.ToArray(), key, pts));
                continue;
            }

            if (_output.Length < bytes.Length)
            {
                _output = new byte[Math.Max(bytes.Length, _output.Length * 2)]; // grows to the largest frame, then stays
            }

            bytes.CopyTo(_output);
            _outputLength = bytes.Length;
            _outputKeyframe = key;
        }
    }

    private void Control(int id, int value) =>
        VpxStatus.Check(VpxNative.vpx_codec_control_int(_context.Pointer, id, value), $"vpx_codec_control_({id})", _context.Pointer);

    private static void Set(byte* cfg, int offset, int value) => *(int*)(cfg + offset) = value;

    private static int Get(byte* cfg, int offset) => *(int*)(cfg + offset);

    /// <summary>Start-up layout self-check: the VP8 defaults libvpx 1.12 writes (320x240, 1/30, 256 kb/s, max q 63, kf 128).</summary>
    private static void CheckDefaults(byte* cfg)
    {
        if (Get(cfg, VpxLayout.GWidth) != 320 || Get(cfg, VpxLayout.GHeight) != 240 || Get(cfg, VpxLayout.GTimebaseNum) != 1
            || Get(cfg, VpxLayout.GTimebaseDen) != 30 || Get(cfg, VpxLayout.RcTargetBitrate) != 256
            || Get(cfg, VpxLayout.RcMaxQuantizer) != 63 || Get(cfg, VpxLayout.KfMaxDist) != 128)
        {
            throw new VpxException($"libvpx {VpxStatus.Version}: vpx_codec_enc_cfg_t layout differs from the 1.12 offsets this wrapper was built for.", 3);
        }
    }

    public void Dispose()
    {
        _context?.Dispose();
        _config?.Dispose();
        _image?.Dispose();
    }
}
