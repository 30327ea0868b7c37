using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>A libvpx call failed; the message names the call, libvpx's error string and detail.</summary>
public sealed class VpxException : Exception
{
    public VpxException(string message, int status) : base(message) => Status = status;

    /// <summary>The vpx_codec_err_t value (3 = ABI mismatch, 7 = corrupt frame, 8 = invalid parameter...).</summary>
    public int Status { get; }
}

/// <summary>The one place where libvpx status codes are checked and turned into exceptions.</summary>
internal static unsafe class VpxStatus
{
    public static void Check(int status, string call, byte* ctx = null)
    {
        if (status == 0)
        {
            return;
        }

        string text = Marshal.PtrToStringUTF8((nint)VpxNative.vpx_codec_err_to_string(status)) ?? "unknown";
        string? detail = ctx is null ? null : Marshal.PtrToStringUTF8((nint)VpxNative.vpx_codec_error_detail(ctx));
        throw new VpxException($"{call} failed: {text} ({status}){(detail is null ? "" : ": " + detail)}", status);
    }

    public static string Version => Marshal.PtrToStringUTF8((nint)VpxNative.vpx_codec_version_str()) ?? "?";
}
