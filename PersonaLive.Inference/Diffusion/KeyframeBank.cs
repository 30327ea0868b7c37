namespace PersonaLive.Inference.Diffusion;

/// <summary>
/// The historical keyframe rule of the official online pipeline (port-notes §7.3): a bank of motion
/// states starting with the portrait's; from the 10th call (call counter &gt; 8, counted before the
/// increment) the emitted frame's motion joins the bank when its minimum Euclidean distance to every entry
/// exceeds 17, and each of the first 3 such joins triggers a reference update. After the 3rd update the
/// bank has no observable effect, so it stops growing (at most 4 entries, preallocated).
/// </summary>
public sealed class KeyframeBank
{
    public const float Threshold = 17f;
    public const int MinCount = 9;
    public const int MaxUpdates = 3;

    private readonly float[][] _entries;

    public KeyframeBank(int motionValues)
    {
        _entries = new float[MaxUpdates + 1][];
        for (var i = 0; i < _entries.Length; i++) _entries[i] = new float[motionValues];
    }

    /// <summary>Entries in the bank (portrait first).</summary>
    public int Count { get; private set; }

    /// <summary>Reference updates triggered so far (0..3).</summary>
    public int Updates { get; private set; }

    /// <summary>Distance computed by the last <see cref="Observe"/> (NaN when no check ran).</summary>
    public float LastDistance { get; private set; } = float.NaN;

    public ReadOnlySpan<float> Entry(int i) => i < Count ? _entries[i] : throw new ArgumentOutOfRangeException(nameof(i));

    /// <summary>Empties the bank (new portrait); it restarts with the next <see cref="Reset"/>.</summary>
    public void Clear()
    {
        Count = 0;
        Updates = 0;
        LastDistance = float.NaN;
    }

    /// <summary>Empties the bank and puts the portrait's motion state in it.</summary>
    public void Reset(ReadOnlySpan<float> portraitMotion)
    {
        portraitMotion.CopyTo(_entries[0]);
        Count = 1;
        Updates = 0;
        LastDistance = float.NaN;
    }

    /// <summary>
    /// Applies the rule to call <paramref name="count"/> (0-based, before its increment) whose emitted
    /// motion is <paramref name="motion"/>; true when the reference states must be updated now.
    /// </summary>
    public bool Observe(int count, ReadOnlySpan<float> motion)
    {
        LastDistance = float.NaN;
        if (count < MinCount || Updates >= MaxUpdates || Count == 0) return false;
        var min = float.PositiveInfinity;
        for (var e = 0; e < Count; e++)
        {
            var entry = _entries[e];
            float sum = 0;
            for (var i = 0; i < entry.Length; i++)
            {
                var d = motion[i] - entry[i];
                sum += d * d;
            }
            min = Math.Min(min, MathF.Sqrt(sum));
        }
        LastDistance = min;
        if (!(min > Threshold)) return false;
        motion.CopyTo(_entries[Count++]);
        Updates++;
        return true;
    }
}
