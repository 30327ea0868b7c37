using System.Diagnostics;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Srtp;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>
/// SRTP protect/unprotect cost per 1200-byte RTP packet for AEAD_AES_128_GCM (keys protect_ns,
/// unprotect_ns) and AES_CM_128_HMAC_SHA1_80 (protect_cm_ns, unprotect_cm_ns). Target: 5 us per packet.
/// </summary>
public static class SrtpBenchmark
{
    public static Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        double budget = Math.Max(1, seconds ?? 4) / 2.0;
        var (gcmProtect, gcmUnprotect) = Measure(SrtpProfile.AeadAes128Gcm, budget, ct);
        var (cmProtect, cmUnprotect) = Measure(SrtpProfile.AesCm128HmacSha1_80, budget, ct);
        log.WriteLine($"srtp: GCM protect {gcmProtect:F0} ns, unprotect {gcmUnprotect:F0} ns; CM protect {cmProtect:F0} ns, unprotect {cmUnprotect:F0} ns per 1200-byte packet");
        IReadOnlyList<KeyValuePair<string, double>> result =
        [
            new("protect_ns", Math.Round(gcmProtect)),
            new("unprotect_ns", Math.Round(gcmUnprotect)),
            new("protect_cm_ns", Math.Round(cmProtect)),
            new("unprotect_cm_ns", Math.Round(cmUnprotect)),
        ];
        return Task.FromResult(result);
    }

    private static (double Protect, double Unprotect) Measure(SrtpProfile profile, double seconds, CancellationToken ct)
    {
        var key = new byte[16];
        var salt = new byte[SrtpProfileInfo.MasterSaltLength(profile)];
        Random.Shared.NextBytes(key);
        Random.Shared.NextBytes(salt);
        using var tx = SrtpContext.Create(profile, key, salt);
        using var rx = SrtpContext.Create(profile, key, salt);
        const int batch = 1024;
        var packets = new byte[batch][];
        var lengths = new int[batch];
        ushort seq = 0;
        long protectTicks = 0, unprotectTicks = 0, count = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds && !ct.IsCancellationRequested)
        {
            for (int i = 0; i < batch; i++)
            {
                packets[i] ??= new byte[1200 + 32];
                RtpHeader.Write(packets[i], false, 96, seq++, 1000, 0x1234);
            }

            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++)
            {
                lengths[i] = tx.ProtectRtp(packets[i], 1200);
            }

            long t1 = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++)
            {
                if (rx.UnprotectRtp(packets[i], lengths[i], out _) != SrtpResult.Ok)
                {
                    throw new InvalidOperationException("SRTP round trip failed in the benchmark.");
                }
            }

            long t2 = Stopwatch.GetTimestamp();
            if (total.Elapsed.TotalSeconds > seconds * 0.2)
            {
                protectTicks += t1 - t0;
                unprotectTicks += t2 - t1;
                count += batch;
            }
        }

        double nsPerTick = 1e9 / Stopwatch.Frequency;
        count = Math.Max(1, count);
        return (protectTicks * nsPerTick / count, unprotectTicks * nsPerTick / count);
    }
}
