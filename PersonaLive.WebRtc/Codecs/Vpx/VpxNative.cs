using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>
/// P/Invoke entry points of Debian's libvpx7 (1.12). Linux x64 only: C <c>long</c> is 64-bit there, and
/// the variadic <c>vpx_codec_control_</c> is declared as fixed overloads, which is correct for the SysV
/// ABI (first variadic int/pointer in the same register as a fixed one) but not for Apple arm64.
/// </summary>
internal static unsafe partial class VpxNative
{
    private const string Library = "libvpx.so.7";

    [LibraryImport(Library)]
    internal static partial nint vpx_codec_vp8_cx();

    [LibraryImport(Library)]
    internal static partial nint vpx_codec_vp8_dx();

    [LibraryImport(Library)]
    internal static partial int vpx_codec_enc_config_default(nint iface, byte* cfg, uint usage);

    [LibraryImport(Library)]
    internal static partial int vpx_codec_enc_init_ver(byte* ctx, nint iface, byte* cfg, long flags, int version);

    [LibraryImport(Library)]
    internal static partial int vpx_codec_enc_config_set(byte* ctx, byte* cfg);

    [LibraryImport(Library)]
    internal static partial int vpx_codec_encode(byte* ctx, VpxImage* img, long pts, ulong duration, long flags, ulong deadline);

    [LibraryImport(Library)]
    internal static partial byte* vpx_codec_get_cx_data(byte* ctx, nint* iter);

    [LibraryImport(Library)]
    internal static partial int vpx_codec_dec_init_ver(byte* ctx, nint iface, void* cfg, long flags, int version);

    [LibraryImport(Library)]
    internal static partial int vpx_codec_decode(byte* ctx, byte* data, uint size, void* userPriv, long deadline);

    [LibraryImport(Library)]
    internal static partial VpxImage* vpx_codec_get_frame(byte* ctx, nint* iter);

    [LibraryImport(Library)]
    internal static partial VpxImage* vpx_img_wrap(VpxImage* img, int fmt, uint width, uint height, uint strideAlign, byte* data);

    [LibraryImport(Library, EntryPoint = "vpx_codec_control_")]
    internal static partial int vpx_codec_control_int(byte* ctx, int id, int value);

    [LibraryImport(Library, EntryPoint = "vpx_codec_control_")]
    internal static partial int vpx_codec_control_ptr(byte* ctx, int id, int* value);

    [LibraryImport(Library)]
    internal static partial int vpx_codec_destroy(byte* ctx);

    [LibraryImport(Library)]
    internal static partial byte* vpx_codec_error_detail(byte* ctx);

    [LibraryImport(Library)]
    internal static partial byte* vpx_codec_err_to_string(int err);

    [LibraryImport(Library)]
    internal static partial byte* vpx_codec_version_str();
}
