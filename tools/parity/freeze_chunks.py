#!/usr/bin/env python3
"""Freezes small arrays of the official chunk run (run_chunks.py) into our CI test data, next to
freeze_reference.py's, and records their provenance (for a CI check without PyTorch; the test lands with the data):

  chunk_motion_out   (N, 512)  the motion frame the official keyframe gate looks at in each call
                               (frame 0 of the concatenated motion states), calls 0..N-1
  chunk_bank         (N, 3)    per call: bank size and keyframe updates after the call, and the distance
                               the official calculate_dis measured (NaN before the gate opens)
  chunk_warmup       (12, 512) the official carried motion states after call 0: frames 4..11 of the
                               12 warm-up states (portrait motion eased towards the first frame's) then
                               the first chunk's 4 own motion states
Usage: /usr/bin/python3 tools/parity/freeze_chunks.py --work DIR [--out DIR]
"""
import argparse
import json
import os

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(REPO, "PersonaLive.Inference.Tests", "PersonaLive", "Parity", "Data")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.environ.get("PARITY_WORK", "/work/parity-work"))
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    with open(os.path.join(args.work, "chunks.json"), encoding="utf-8") as f:
        summary = json.load(f)
    calls = summary["calls"]
    chunk = os.path.join(args.work, "chunks")
    motion_out = np.stack([np.load(os.path.join(chunk, f"c{c['call']:02d}_motion_out.npy")).reshape(-1)
                           for c in calls]).astype(np.float32)
    bank = np.array([[c["bank"], c["keyframes"], np.nan if c["distance"] is None else c["distance"]]
                     for c in calls], dtype=np.float32)
    warm = np.load(os.path.join(chunk, "c00_motion.npy")).reshape(12, -1).astype(np.float32)
    arrays = {
        "chunk_motion_out": (motion_out, "official motion_out per call (frame 0 of the concatenated motion)"),
        "chunk_bank": (bank, "per call: bank size, keyframe updates, calculate_dis distance (NaN: gate closed)"),
        "chunk_warmup": (warm, "official carried motion after call 0: warm-up states 4..11, then frames 1..4"),
    }
    prov_path = os.path.join(args.out, "provenance.json")
    with open(prov_path, encoding="utf-8") as f:
        prov = json.load(f)
    for name, (a, what) in arrays.items():
        np.save(os.path.join(args.out, name + ".npy"), a)
        prov["arrays"][name] = {"shape": list(a.shape), "dtype": str(a.dtype), "what": what}
    prov["chunkRun"] = {
        "producedBy": "tools/parity/run_chunks.py then tools/parity/freeze_chunks.py",
        "runner": "src/wrapper.py PersonaLive (PyTorch online runner), CPU, fp32",
        "weights": "tools/parity/make_weights.py --tiny --seed 1234 (random, reduced UNet/VAE)",
        "noise": f"the engine's GaussianNoise, seed {summary['seed']} (engine_noise.py)",
        "baseResolution": summary["size"], "calls": len(calls),
        "inputs": "run_chunks.py synthetic_frames (portrait + 4 frames per call)",
    }
    with open(prov_path, "w", encoding="utf-8") as f:
        json.dump(prov, f, indent=2)
        f.write("\n")
    print("froze", ", ".join(arrays), "from", len(calls), "calls")


if __name__ == "__main__":
    main()
