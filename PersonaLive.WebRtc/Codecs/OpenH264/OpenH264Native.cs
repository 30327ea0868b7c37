using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// P/Invoke entry points of Debian's libopenh264-7 (2.3.1). The encoder and decoder are C++ objects whose
/// first word points at a table of function pointers; codec_api.h publishes that table for C callers
/// (ISVCEncoderVtbl / ISVCDecoderVtbl), so each method is called through an unmanaged function pointer
/// read from its slot (<see cref="OpenH264Layout"/>), with the object itself as the first argument.
/// Linux x64 only (SysV ABI; C <c>long</c> is 64-bit).
/// </summary>
internal static unsafe partial class OpenH264Native
{
    private const string Library = "libopenh264.so.7";

    [LibraryImport(Library)]
    internal static partial int WelsCreateSVCEncoder(nint* encoder);

    [LibraryImport(Library)]
    internal static partial void WelsDestroySVCEncoder(nint encoder);

    [LibraryImport(Library)]
    internal static partial nint WelsCreateDecoder(nint* decoder);

    [LibraryImport(Library)]
    internal static partial void WelsDestroyDecoder(nint decoder);

    [LibraryImport(Library)]
    internal static partial void WelsGetCodecVersionEx(uint* version);

    private static nint Slot(nint obj, int offset) => *(nint*)(*(byte**)obj + offset);

    internal static int EncInitializeExt(nint enc, byte* param) =>
        ((delegate* unmanaged[Cdecl]<nint, byte*, int>)Slot(enc, OpenH264Layout.EncInitializeExt))(enc, param);

    internal static int EncGetDefaultParams(nint enc, byte* param) =>
        ((delegate* unmanaged[Cdecl]<nint, byte*, int>)Slot(enc, OpenH264Layout.EncGetDefaultParams))(enc, param);

    internal static int EncUninitialize(nint enc) =>
        ((delegate* unmanaged[Cdecl]<nint, int>)Slot(enc, OpenH264Layout.EncUninitialize))(enc);

    internal static int EncEncodeFrame(nint enc, SourcePicture* picture, byte* frameInfo) =>
        ((delegate* unmanaged[Cdecl]<nint, SourcePicture*, byte*, int>)Slot(enc, OpenH264Layout.EncEncodeFrame))(enc, picture, frameInfo);

    /// <summary>ForceIntraFrame(bool bIDR, int iLayerId = -1): the C++ signature; the C table omits the defaulted layer.</summary>
    internal static int EncForceIntraFrame(nint enc, bool idr) =>
        ((delegate* unmanaged[Cdecl]<nint, byte, int, int>)Slot(enc, OpenH264Layout.EncForceIntraFrame))(enc, idr ? (byte)1 : (byte)0, -1);

    internal static int EncSetOption(nint enc, int option, void* value) =>
        ((delegate* unmanaged[Cdecl]<nint, int, void*, int>)Slot(enc, OpenH264Layout.EncSetOption))(enc, option, value);

    internal static long DecInitialize(nint dec, DecodingParam* param) =>
        ((delegate* unmanaged[Cdecl]<nint, DecodingParam*, long>)Slot(dec, OpenH264Layout.DecInitialize))(dec, param);

    internal static long DecUninitialize(nint dec) =>
        ((delegate* unmanaged[Cdecl]<nint, long>)Slot(dec, OpenH264Layout.DecUninitialize))(dec);

    internal static int DecDecodeFrameNoDelay(nint dec, byte* source, int length, byte** planes, BufferInfo* info) =>
        ((delegate* unmanaged[Cdecl]<nint, byte*, int, byte**, BufferInfo*, int>)Slot(dec, OpenH264Layout.DecDecodeFrameNoDelay))(dec, source, length, planes, info);

    internal static long DecSetOption(nint dec, int option, void* value) =>
        ((delegate* unmanaged[Cdecl]<nint, int, void*, long>)Slot(dec, OpenH264Layout.DecSetOption))(dec, option, value);
}
