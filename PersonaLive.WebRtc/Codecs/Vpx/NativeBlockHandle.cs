using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>
/// A zeroed native memory block holding a libvpx codec context (or config). Releasing it calls
/// <c>vpx_codec_destroy</c> first when the context was initialised, then frees the block.
/// </summary>
internal sealed unsafe class NativeBlockHandle : SafeHandle
{
    private NativeBlockHandle(nint block) : base(0, ownsHandle: true) => SetHandle(block);

    public static NativeBlockHandle Allocate(int size) => new((nint)NativeMemory.AllocZeroed((nuint)size));

    /// <summary>Set once <c>vpx_codec_*_init_ver</c> succeeded on this block.</summary>
    public bool IsCodecInitialized { get; set; }

    public byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        if (IsCodecInitialized)
        {
            VpxNative.vpx_codec_destroy((byte*)handle);
        }

        NativeMemory.Free((void*)handle);
        return true;
    }
}
