using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// An OpenH264 codec object (encoder or decoder). Releasing it calls the codec's <c>Uninitialize</c> when
/// its initialisation succeeded (<see cref="IsInitialized"/>), then destroys it; the status of the
/// create call is checked in one place (<see cref="Adopt"/>).
/// </summary>
internal abstract class OpenH264ObjectHandle : SafeHandle
{
    protected OpenH264ObjectHandle() : base(0, ownsHandle: true)
    {
    }

    /// <summary>Set once the codec's initialisation succeeded.</summary>
    public bool IsInitialized { get; set; }

    public nint Object => handle;

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes the object a create call made (the handle exists first, so nothing leaks); throws and frees it when the call failed.</summary>
    protected static T Adopt<T>(T owner, int status, nint codecObject, string function)
        where T : OpenH264ObjectHandle
    {
        owner.SetHandle(codecObject);
        try
        {
            OpenH264Status.CheckCreate(status, codecObject, function);
        }
        catch
        {
            owner.Dispose();
            throw;
        }

        return owner;
    }

    protected abstract void Uninitialize(nint codecObject);

    protected abstract void Destroy(nint codecObject);

    protected override bool ReleaseHandle()
    {
        if (IsInitialized)
        {
            Uninitialize(handle);
        }

        Destroy(handle);
        return true;
    }
}

/// <summary>An OpenH264 encoder object (<c>WelsCreateSVCEncoder</c>; <c>InitializeExt</c> sets <see cref="OpenH264ObjectHandle.IsInitialized"/>).</summary>
internal sealed unsafe class OpenH264EncoderHandle : OpenH264ObjectHandle
{
    private OpenH264EncoderHandle()
    {
    }

    public static OpenH264EncoderHandle Create()
    {
        var owner = new OpenH264EncoderHandle();
        nint encoder = 0;
        int status = OpenH264Native.WelsCreateSVCEncoder(&encoder);
        return Adopt(owner, status, encoder, "WelsCreateSVCEncoder");
    }

    protected override void Uninitialize(nint codecObject) => OpenH264Native.EncUninitialize(codecObject);

    protected override void Destroy(nint codecObject) => OpenH264Native.WelsDestroySVCEncoder(codecObject);
}

/// <summary>An OpenH264 decoder object (<c>WelsCreateDecoder</c>; <c>Initialize</c> sets <see cref="OpenH264ObjectHandle.IsInitialized"/>).</summary>
internal sealed unsafe class OpenH264DecoderHandle : OpenH264ObjectHandle
{
    private OpenH264DecoderHandle()
    {
    }

    public static OpenH264DecoderHandle Create()
    {
        var owner = new OpenH264DecoderHandle();
        nint decoder = 0;
        long status = OpenH264Native.WelsCreateDecoder(&decoder);
        return Adopt(owner, (int)status, decoder, "WelsCreateDecoder");
    }

    protected override void Uninitialize(nint codecObject) => OpenH264Native.DecUninitialize(codecObject);

    protected override void Destroy(nint codecObject) => OpenH264Native.WelsDestroyDecoder(codecObject);
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
