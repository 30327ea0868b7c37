"""The engine's seeded noise (PersonaLive.Inference/Diffusion/GaussianNoise.cs) in Python, so the official
pipeline can be fed the very draws our engine makes: xoshiro256** seeded by SplitMix64, Box-Muller pairs
(cosine first, sine kept for the next draw), 53-bit uniforms, row-major fill, float32 from double.

The official online code draws unseeded noise with torch.randn_like; the chunk run replaces that one
function by `EngineNoise.randn_like` (tools/parity/README.md, run-time patches).
"""
import math

import numpy as np

MASK = (1 << 64) - 1


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class EngineNoise:
    def __init__(self, seed):
        self.reseed(seed)

    def reseed(self, seed):
        x = seed & MASK
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            s.append(z ^ (z >> 31))
        self.s = s
        self.spare = None
        self.drawn = 0

    def _next_u64(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def _uniform(self):
        return (self._next_u64() >> 11) * (1.0 / (1 << 53))

    def next(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            u1 = self._uniform()
            if u1 > 5e-324:
                break
        u2 = self._uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        a = 2.0 * math.pi * u2
        self.spare = r * math.sin(a)
        return r * math.cos(a)

    def fill(self, n):
        self.drawn += n
        return np.array([self.next() for _ in range(n)], dtype=np.float64).astype(np.float32)

    def randn_like(self, torch, like):
        return torch.from_numpy(self.fill(like.numel()).reshape(tuple(like.shape))).to(like.dtype)


if __name__ == "__main__":
    # Freezes the first 1024 draws of seed 7 (the chunk run's seed) as CI test data, so a change to the
    # engine's GaussianNoise that this transcription does not follow fails HarnessNoiseTests.
    import json
    import os
    import sys
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "PersonaLive.Inference.Tests", "PersonaLive",
        "Parity", "Data")
    a = EngineNoise(7).fill(1024)
    np.save(os.path.join(out, "harness_noise_seed7.npy"), a)
    prov_path = os.path.join(out, "provenance.json")
    with open(prov_path, encoding="utf-8") as f:
        prov = json.load(f)
    prov["arrays"]["harness_noise_seed7"] = {
        "shape": [1024], "dtype": "float32",
        "what": "tools/parity/engine_noise.py EngineNoise(7).fill(1024): the noise the chunk run feeds the "
                "official runner (our generator transcribed, not official code)"}
    with open(prov_path, "w", encoding="utf-8") as f:
        json.dump(prov, f, indent=2)
        f.write("\n")
    print("wrote", os.path.join(out, "harness_noise_seed7.npy"))
