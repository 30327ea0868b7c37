using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// An OpenH264 encoder object. Releasing it calls <c>Uninitialize</c> when <c>InitializeExt</c> succeeded,
/// then <c>WelsDestroySVCEncoder</c>.
/// </summary>
internal sealed unsafe class OpenH264EncoderHandle : SafeHandle
{
    private OpenH264EncoderHandle() : base(0, ownsHandle: true)
    {
    }

    public static OpenH264EncoderHandle Create()
    {
        var h = new OpenH264EncoderHandle();
        nint enc = 0;
        int status = OpenH264Native.WelsCreateSVCEncoder(&enc);
        h.SetHandle(enc);
        try
        {
            OpenH264Status.CheckCreate(status, enc, "WelsCreateSVCEncoder");
        }
        catch
        {
            h.Dispose();
            throw;
        }

        return h;
    }

    /// <summary>Set once <c>InitializeExt</c> succeeded.</summary>
    public bool IsInitialized { get; set; }

    public nint Object => handle;

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        if (IsInitialized)
        {
            OpenH264Native.EncUninitialize(handle);
        }

        OpenH264Native.WelsDestroySVCEncoder(handle);
        return true;
    }
}

/// <summary>
/// An OpenH264 decoder object. Releasing it calls <c>Uninitialize</c> when <c>Initialize</c> succeeded,
/// then <c>WelsDestroyDecoder</c>.
/// </summary>
internal sealed unsafe class OpenH264DecoderHandle : SafeHandle
{
    private OpenH264DecoderHandle() : base(0, ownsHandle: true)
    {
    }

    public static OpenH264DecoderHandle Create()
    {
        var h = new OpenH264DecoderHandle();
        nint dec = 0;
        long status = OpenH264Native.WelsCreateDecoder(&dec);
        h.SetHandle(dec);
        try
        {
            OpenH264Status.CheckCreate((int)status, dec, "WelsCreateDecoder");
        }
        catch
        {
            h.Dispose();
            throw;
        }

        return h;
    }

    /// <summary>Set once <c>Initialize</c> succeeded.</summary>
    public bool IsInitialized { get; set; }

    public nint Object => handle;

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        if (IsInitialized)
        {
            OpenH264Native.DecUninitialize(handle);
        }

        OpenH264Native.WelsDestroyDecoder(handle);
        return true;
    }
}

/// <summary>A native block (zeroed) for OpenH264 structs we address by offset (SEncParamExt, SFrameBSInfo).</summary>
internal sealed unsafe class OpenH264BlockHandle : SafeHandle
{
    private OpenH264BlockHandle(nint block) : base(0, ownsHandle: true) => SetHandle(block);

    public static OpenH264BlockHandle Allocate(int size) => new((nint)NativeMemory.AllocZeroed((nuint)size));

    public byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}
