using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// Struct sizes, field offsets and enum values of OpenH264 2.3.1 on x86-64 Linux, read from Debian's
/// libopenh264-dev headers (codec_api.h, codec_app_def.h, codec_def.h) with a C program printing
/// sizeof/offsetof. <c>SEncParamExt</c> (920 bytes) and <c>SFrameBSInfo</c> (5144 bytes) are used
/// through native blocks and these offsets; the small structs are mirrored. A unit test pins every value.
/// </summary>
internal static class OpenH264Layout
{
    public const int EncParamExtSize = 920;
    public const int SpatialLayerConfigSize = 200;
    public const int FrameBsInfoSize = 5144;
    public const int LayerBsInfoSize = 40;
    public const int SourcePictureSize = 72;
    public const int BufferInfoSize = 72;
    public const int DecodingParamSize = 32;

    // SEncParamExt
    public const int UsageType = 0;
    public const int PicWidth = 4;
    public const int PicHeight = 8;
    public const int TargetBitrate = 12;
    public const int RcMode = 16;
    public const int MaxFrameRate = 20;           // float
    public const int TemporalLayerNum = 24;
    public const int SpatialLayerNum = 28;
    public const int SpatialLayers = 32;          // SSpatialLayerConfig[4]
    public const int ComplexityMode = 832;
    public const int IntraPeriod = 836;
    public const int NumRefFrame = 840;
    public const int SpsPpsIdStrategy = 844;
    public const int EntropyCodingModeFlag = 856;
    public const int EnableFrameSkip = 860;       // bool
    public const int MaxBitrate = 864;
    public const int MaxQp = 868;
    public const int MinQp = 872;
    public const int MaxNalSize = 876;
    public const int MultipleThreadIdc = 892;     // unsigned short
    public const int EnableDenoise = 908;         // bool
    public const int EnableBackgroundDetection = 909;
    public const int EnableAdaptiveQuant = 910;
    public const int EnableSceneChangeDetect = 912;
    public const int IdrBitrateRatio = 916;

    // SSpatialLayerConfig (relative to the layer)
    public const int LayerWidth = 0;
    public const int LayerHeight = 4;
    public const int LayerFrameRate = 8;          // float
    public const int LayerBitrate = 12;
    public const int LayerMaxBitrate = 16;
    public const int LayerProfileIdc = 20;
    public const int LayerLevelIdc = 24;
    public const int LayerSliceMode = 32;         // sSliceArgument.uiSliceMode
    public const int LayerSliceSizeConstraint = 32 + 148;

    // SFrameBSInfo / SLayerBSInfo
    public const int FrameLayerNum = 0;
    public const int FrameLayers = 8;
    public const int FrameType = 5128;
    public const int LayerNalCount = 16;
    public const int LayerNalLengths = 24;        // int*
    public const int LayerBuffer = 32;            // unsigned char*
    public const int MaxLayersPerFrame = 128;

    // vtable slots (byte offsets; the C vtbl struct and the C++ vtable agree)
    public const int EncInitializeExt = 8;
    public const int EncGetDefaultParams = 16;
    public const int EncUninitialize = 24;
    public const int EncEncodeFrame = 32;
    public const int EncForceIntraFrame = 48;
    public const int EncSetOption = 56;
    public const int DecInitialize = 0;
    public const int DecUninitialize = 8;
    public const int DecDecodeFrameNoDelay = 24;
    public const int DecSetOption = 64;

    // enums
    public const int CameraVideoRealTime = 0;
    public const int RcBitrateMode = 1;
    public const int ProfileBaseline = 66;
    public const int SliceModeSingle = 0;
    public const int SliceModeSizeLimited = 3;
    public const int ConstantId = 0;
    public const int LowComplexity = 0;
    public const int VideoFormatI420 = 23;
    public const int FrameTypeInvalid = 0;
    public const int FrameTypeIdr = 1;
    public const int FrameTypeSkip = 4;
    public const int EncoderOptionDataFormat = 0;
    public const int EncoderOptionBitrate = 5;
    public const int EncoderOptionMaxBitrate = 6;
    public const int EncoderOptionTraceLevel = 25;
    public const int DecoderOptionTraceLevel = 9;
    public const int SpatialLayerAll = 4;
    public const int TraceLevelQuiet = 0;
    public const int ErrorConcealmentDisabled = 0;
    public const int BitstreamAvc = 0;
}

/// <summary>Mirror of <c>SSourcePicture</c> (codec_app_def.h, 72 bytes): I420 planes handed to the encoder.</summary>
[StructLayout(LayoutKind.Explicit, Size = OpenH264Layout.SourcePictureSize)]
internal unsafe struct SourcePicture
{
    [FieldOffset(0)] public int ColorFormat;
    [FieldOffset(4)] public int StrideY;
    [FieldOffset(8)] public int StrideU;
    [FieldOffset(12)] public int StrideV;
    [FieldOffset(16)] public int StrideA;
    [FieldOffset(24)] public byte* PlaneY;
    [FieldOffset(32)] public byte* PlaneU;
    [FieldOffset(40)] public byte* PlaneV;
    [FieldOffset(48)] public byte* PlaneA;
    [FieldOffset(56)] public int Width;
    [FieldOffset(60)] public int Height;
    [FieldOffset(64)] public long TimestampMs;
}

/// <summary>Mirror of <c>SBufferInfo</c> (codec_def.h, 72 bytes): where a decoded picture is and its geometry.</summary>
[StructLayout(LayoutKind.Explicit, Size = OpenH264Layout.BufferInfoSize)]
internal unsafe struct BufferInfo
{
    [FieldOffset(0)] public int BufferStatus;
    [FieldOffset(8)] public ulong InputTimestamp;
    [FieldOffset(16)] public ulong OutputTimestamp;
    [FieldOffset(24)] public int Width;
    [FieldOffset(28)] public int Height;
    [FieldOffset(32)] public int Format;
    [FieldOffset(36)] public int StrideLuma;
    [FieldOffset(40)] public int StrideChroma;
    [FieldOffset(48)] public byte* PlaneY;
    [FieldOffset(56)] public byte* PlaneU;
    [FieldOffset(64)] public byte* PlaneV;
}

/// <summary>Mirror of <c>SDecodingParam</c> (codec_app_def.h, 32 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = OpenH264Layout.DecodingParamSize)]
internal unsafe struct DecodingParam
{
    [FieldOffset(0)] public byte* ReconstructionFile;
    [FieldOffset(8)] public uint CpuLoad;
    [FieldOffset(12)] public byte TargetDqLayer;
    [FieldOffset(16)] public int ErrorConcealment;
    [FieldOffset(20)] public byte ParseOnly;
    [FieldOffset(24)] public uint VideoPropertySize;
    [FieldOffset(28)] public int BitstreamType;
}

/// <summary>Mirror of <c>SBitrateInfo</c> (codec_app_def.h): layer (4 = all) and bitrate in bit/s.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BitrateInfo
{
    public int Layer;
    public int Bitrate;
}
