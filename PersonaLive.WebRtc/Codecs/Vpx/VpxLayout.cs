using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>
/// ABI numbers and struct offsets of libvpx 1.12 on x86-64 Linux, read from Debian's libvpx-dev headers
/// (offsetof/sizeof printed by a C program compiled against vpx_encoder.h/vpx_image.h). The encoder
/// configuration is used through an oversized opaque block and these offsets; <see cref="VpxImage"/> is
/// mirrored. A unit test pins every value.
/// </summary>
internal static class VpxLayout
{
    public const int EncoderAbiVersion = 25;  // VPX_ENCODER_ABI_VERSION = 15 + VPX_CODEC_ABI_VERSION(9) + VPX_EXT_RATECTRL_ABI_VERSION(1)
    public const int DecoderAbiVersion = 12;  // VPX_DECODER_ABI_VERSION = 3 + VPX_CODEC_ABI_VERSION(9)

    public const int EncoderConfigSize = 504; // sizeof(vpx_codec_enc_cfg_t)
    public const int CodecContextSize = 56;   // sizeof(vpx_codec_ctx_t)
    public const int ImageSize = 136;         // sizeof(vpx_image_t)
    public const int CxPacketSize = 136;      // sizeof(vpx_codec_cx_pkt_t); we only read it through the offsets below
    public const int DecoderConfigSize = 12;  // sizeof(vpx_codec_dec_cfg_t), mirrored by VpxDecoderConfig
    public const int OpaqueBlockSize = 4096;  // what we allocate for cfg/ctx: larger than any of the above

    // vpx_codec_enc_cfg_t field offsets
    public const int GThreads = 4;
    public const int GWidth = 12;
    public const int GHeight = 16;
    public const int GTimebaseNum = 28;
    public const int GTimebaseDen = 32;
    public const int GErrorResilient = 36;
    public const int GPass = 40;
    public const int GLagInFrames = 44;
    public const int RcDropframeThresh = 48;
    public const int RcResizeAllowed = 52;
    public const int RcEndUsage = 72;
    public const int RcTargetBitrate = 112;
    public const int RcMinQuantizer = 116;
    public const int RcMaxQuantizer = 120;
    public const int RcUndershootPct = 124;
    public const int RcOvershootPct = 128;
    public const int RcBufSz = 132;
    public const int RcBufInitialSz = 136;
    public const int RcBufOptimalSz = 140;
    public const int KfMode = 160;
    public const int KfMinDist = 164;
    public const int KfMaxDist = 168;

    // vpx_codec_cx_pkt_t field offsets
    public const int PktKind = 0;
    public const int PktFrameBuf = 8;
    public const int PktFrameSize = 16;
    public const int PktFramePts = 24;
    public const int PktFrameFlags = 40;     // vpx_codec_frame_flags_t: uint32_t

    // enums and flags
    public const int ImgFmtI420 = 0x102;
    public const long EflagForceKf = 1;
    public const ulong DeadlineRealtime = 1;
    public const int FrameIsKey = 1;
    public const int CxFramePkt = 0;
    public const int Cbr = 1;
    public const int ErrorResilientDefault = 1;
    public const int KfAuto = 1;

    // VP8E control ids (vp8cx.h)
    public const int Vp8eSetCpuUsed = 13;
    public const int Vp8eSetNoiseSensitivity = 15;
    public const int Vp8eSetStaticThreshold = 17;
    public const int Vp8eSetTokenPartitions = 18;
    public const int Vp8eGetLastQuantizer = 19;
    public const int Vp8eSetMaxIntraBitratePct = 26;
}

/// <summary>Mirror of <c>vpx_image_t</c> (vpx_image.h, 136 bytes on x86-64).</summary>
[StructLayout(LayoutKind.Explicit, Size = VpxLayout.ImageSize)]
internal unsafe struct VpxImage
{
    [FieldOffset(0)] public int Format;
    [FieldOffset(4)] public int ColorSpace;
    [FieldOffset(8)] public int Range;
    [FieldOffset(12)] public uint W;
    [FieldOffset(16)] public uint H;
    [FieldOffset(20)] public uint BitDepth;
    [FieldOffset(24)] public uint DisplayWidth;
    [FieldOffset(28)] public uint DisplayHeight;
    [FieldOffset(32)] public uint RenderWidth;
    [FieldOffset(36)] public uint RenderHeight;
    [FieldOffset(40)] public uint XChromaShift;
    [FieldOffset(44)] public uint YChromaShift;
    [FieldOffset(48)] public byte* PlaneY;
    [FieldOffset(56)] public byte* PlaneU;
    [FieldOffset(64)] public byte* PlaneV;
    [FieldOffset(72)] public byte* PlaneA;
    [FieldOffset(80)] public int StrideY;
    [FieldOffset(84)] public int StrideU;
    [FieldOffset(88)] public int StrideV;
    [FieldOffset(92)] public int StrideA;
    [FieldOffset(96)] public int BitsPerSample;
    [FieldOffset(104)] public void* UserPriv;
    [FieldOffset(112)] public byte* ImgData;
    [FieldOffset(120)] public int ImgDataOwner;
    [FieldOffset(124)] public int SelfAllocated;
    [FieldOffset(128)] public void* FrameBufferPriv;
}

/// <summary>Mirror of <c>vpx_codec_dec_cfg_t</c> (vpx_decoder.h, 12 bytes: threads, w, h as unsigned int).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VpxDecoderConfig
{
    public uint Threads;
    public uint W;
    public uint H;
}
