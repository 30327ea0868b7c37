namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// Counts lost frames exactly from the VP8 PictureID (RFC 7741 section 4.2: incremented by one per
/// frame, modulo 2^7 or 2^15). The assembler reports each point where it gave up on packets
/// (<see cref="OnGaveUp"/>, counted at once as one lost frame) and every frame it completes
/// (<see cref="OnFrame"/>); the PictureID distance to the previous completed frame then reveals frames
/// that vanished without a single packet arriving, which a per-gap count misses, and corrects the
/// provisional count down when a give-up cost no frame (e.g. only a padding packet was missing).
/// Without PictureIDs (or across an implausible jump) it keeps one loss per give-up. Pure arithmetic;
/// not thread-safe.
/// </summary>
public sealed class PictureIdLossCounter
{
    private int _lastPictureId = -1;
    private int _uncorrectedGiveUps;

    /// <summary>Frames lost so far.</summary>
    public long Lost { get; private set; }

    /// <summary>The assembler gave up on at least one frame (incomplete after the timeout, broken, or reset).</summary>
    public void OnGaveUp()
    {
        Lost++;
        _uncorrectedGiveUps++;
    }

    /// <summary>A frame that is not delivered (e.g. an inter frame while waiting for a keyframe) counts as lost.</summary>
    public void OnDiscarded() => Lost++;

    /// <summary>A frame was completed (delivered or discarded); <paramref name="pictureId"/> is -1 when absent.</summary>
    public void OnFrame(int pictureId, bool longPictureId)
    {
        if (pictureId >= 0 && _lastPictureId >= 0)
        {
            int modulus = longPictureId ? 0x8000 : 0x80;
            int missing = ((pictureId - _lastPictureId - 1) % modulus + modulus) % modulus;
            if (missing < modulus / 2)
            {
                Lost += missing - _uncorrectedGiveUps; // the PictureIDs say exactly how many frames never completed
            }
        }

        _lastPictureId = pictureId;
        _uncorrectedGiveUps = 0;
    }
}
