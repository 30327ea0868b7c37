using System.Runtime.InteropServices;

namespace PersonaLive.WebRtc.Rtp.H264;

/// <summary>
/// The last SPS and PPS seen on a received stream (H.264 sections 7.3.2.1 and 7.3.2.2). Senders put
/// them in front of each IDR (browsers in a STAP-A) or send them once, ahead of the IDR, or in
/// sprop-parameter-sets; an IDR whose own copies were lost or never sent still decodes when the last
/// ones are put back in front of it.
/// </summary>
internal sealed class H264ParameterSets
{
    private readonly List<(int Offset, int Length)> _nals = [];
    private byte[]? _sps;
    private byte[]? _pps;

    /// <summary>Keeps the SPS and PPS found in an Annex B access unit.</summary>
    public void Remember(List<byte> annexB)
    {
        _nals.Clear();
        var unit = CollectionsMarshal.AsSpan(annexB);
        H264Nal.Split(unit, _nals);
        foreach (var (offset, length) in _nals)
        {
            int type = H264Nal.TypeOf(unit[offset]);
            if (type == H264Nal.Sps)
            {
                _sps = unit.Slice(offset, length).ToArray();
            }
            else if (type == H264Nal.Pps)
            {
                _pps = unit.Slice(offset, length).ToArray();
            }
        }
    }

    /// <summary>Puts the remembered SPS/PPS that <paramref name="nalTypes"/> lacks in front; false when one was never seen.</summary>
    public bool TryPrepend(List<byte> annexB, int nalTypes)
    {
        var prefix = new List<byte>();
        if (!TryAdd(prefix, nalTypes, H264Nal.Sps, _sps) || !TryAdd(prefix, nalTypes, H264Nal.Pps, _pps))
        {
            return false;
        }

        annexB.InsertRange(0, prefix);
        return true;
    }

    private static bool TryAdd(List<byte> prefix, int nalTypes, int type, byte[]? remembered)
    {
        if ((nalTypes & (1 << type)) != 0)
        {
            return true;
        }

        if (remembered is null)
        {
            return false;
        }

        prefix.AddRange(H264Nal.StartCode);
        prefix.AddRange(remembered);
        return true;
    }
}
