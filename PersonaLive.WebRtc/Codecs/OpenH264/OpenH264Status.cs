namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>An OpenH264 call failed; the message names the call and the status.</summary>
public sealed class OpenH264Exception : Exception
{
    public OpenH264Exception(string message, int status) : base(message) => Status = status;

    /// <summary>CM_RETURN (encoder: 1 = invalid parameters, 2 = unknown, 3 = memory, ...) or DECODING_STATE bits (decoder).</summary>
    public int Status { get; }
}

/// <summary>
/// The one place where OpenH264 statuses are checked. Encoder calls return CM_RETURN (0 = success);
/// decoder calls return DECODING_STATE bits: bitstream problems (0x01..0x40: reference lost, broken
/// data, no parameter sets...) are a property of the input and come back as a result the caller turns
/// into a keyframe request, while logic errors (0x1000 and up: invalid argument, not initialised, out of
/// memory, buffer too small) are our bug or the machine's and throw.
/// </summary>
internal static unsafe class OpenH264Status
{
    private const int DecoderLogicErrors = 0x1000 | 0x2000 | 0x4000 | 0x8000;

    public static void Check(long status, string call)
    {
        if (status != 0)
        {
            throw new OpenH264Exception($"OpenH264 {Version}: {call} failed with status {status}.", (int)status);
        }
    }

    public static void CheckCreate(int status, nint obj, string call)
    {
        if (status != 0 || obj == 0)
        {
            throw new OpenH264Exception($"OpenH264: {call} failed with status {status} (libopenh264-7 installed?).", status);
        }
    }

    /// <summary>Throws for logic errors; returns true when the input decoded without a bitstream error.</summary>
    public static bool CheckDecoding(int state, string call)
    {
        if ((state & DecoderLogicErrors) != 0)
        {
            throw new OpenH264Exception($"OpenH264 {Version}: {call} failed with decoding state 0x{state:x}.", state);
        }

        return state == 0;
    }

    public static string Version
    {
        get
        {
            uint* v = stackalloc uint[4];
            OpenH264Native.WelsGetCodecVersionEx(v);
            return $"{v[0]}.{v[1]}.{v[2]}";
        }
    }
}
