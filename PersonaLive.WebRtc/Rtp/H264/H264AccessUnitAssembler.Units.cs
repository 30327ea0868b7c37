using System.Buffers;
using System.Runtime.InteropServices;
using PersonaLive.WebRtc.Codecs;

namespace PersonaLive.WebRtc.Rtp.H264;

/// <summary>Turning one complete run of packets into an access unit: Annex B, parameter sets, keyframe gate.</summary>
public sealed partial class H264AccessUnitAssembler
{
    private void TakeUnit(long start, long end, List<AssembledFrame> output)
    {
        _started = true;
        _unitPayloads.Clear();
        bool recovered = false;
        int nalTypes = 0;
        uint timestamp = 0;
        long bytes = 0;
        for (long s = start; s <= end; s++)
        {
            var p = _packets[s];
            _packets.Remove(s);
            if (p.IsPadding)
            {
                continue;
            }

            timestamp = p.Timestamp;
            recovered |= p.Retransmitted;
            nalTypes |= p.NalTypes;
            bytes += p.Payload.Length;
            _unitPayloads.Add(p.Payload);
        }

        _annexB.Clear();
        if (_unitPayloads.Count == 0)
        {
            return;
        }

        if (bytes > MaxUnitBytes || !H264Payload.TryAppendAnnexB(_unitPayloads, _annexB))
        {
            MarkLoss(); // fragments that do not form whole NAL units (e.g. the stream began mid-FU)
            return;
        }

        _parameterSets.Remember(_annexB);
        if ((nalTypes & VclTypes) == 0)
        {
            return; // parameter sets or SEI alone: kept for the next IDR
        }

        bool idr = (nalTypes & (1 << H264Nal.IdrSlice)) != 0;
        if (_waitingForKeyframe && !idr)
        {
            LostFrames++;
            KeyframeNeeded = true;
            return;
        }

        if (idr && (nalTypes & ParameterSetTypes) != ParameterSetTypes && !_parameterSets.TryPrepend(_annexB, nalTypes))
        {
            MissingParameterSets++;
            MarkLoss();
            return;
        }

        _waitingForKeyframe = false;
        if (idr)
        {
            KeyframeNeeded = false;
        }

        if (recovered)
        {
            RecoveredFrames++;
        }

        // The unit leaves in a pooled array (no garbage per frame); the receiver releases it after decoding.
        var rented = ArrayPool<byte>.Shared.Rent(_annexB.Count);
        CollectionsMarshal.AsSpan(_annexB).CopyTo(rented);
        output.Add(AssembledFrame.FromPooled(rented, _annexB.Count, timestamp, idr, recovered, start));
    }
}
