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
  chunk_map_kps      (F, 63)   fp16 keypoints the official draw_keypoints got, all calls in order (call 0:
                               12 warm-up + 4 transferred poses, then 4 per call)
  chunk_map_index    (K,)      int32 flat index into (F, 3, size, size) of every non-zero map pixel
  chunk_map_level    (K,)      uint8 its value times 255 (the disc colours, overlaps clamped)
  chunk_box_kps      (B, 63)   fp16 keypoints the official get_boxes got (call 0: the portrait's first,
                               then the frames' own keypoints, 4 per call)
  chunk_boxes        (B, 4)    int32 official face boxes x1 y1 x2 y2 at the base resolution
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
    cat = lambda name: np.concatenate([np.load(os.path.join(chunk, f"c{c['call']:02d}_{name}.npy")) for c in calls])
    maps = cat("maps")
    flat = np.flatnonzero(maps)
    arrays = {
        "chunk_motion_out": (motion_out, "official motion_out per call (frame 0 of the concatenated motion)"),
        "chunk_bank": (bank, "per call: bank size, keyframe updates, calculate_dis distance (NaN: gate closed)"),
        "chunk_warmup": (warm, "official carried motion after call 0: warm-up states 4..11, then frames 1..4"),
        "chunk_map_kps": (cat("map_kps").reshape(-1, 63).astype(np.float16),
                          "fp16 keypoints drawn by draw_keypoints, calls in order (call 0: 12 warm-up + 4)"),
        "chunk_map_index": (flat.astype(np.int32), f"flat non-zero index of the official maps (F,3,{summary['size']},{summary['size']})"),
        "chunk_map_level": (np.rint(maps.reshape(-1)[flat] * 255).astype(np.uint8), "... their values times 255"),
        "chunk_box_kps": (cat("box_kps").reshape(-1, 63).astype(np.float16),
                          "fp16 keypoints boxed by get_boxes (call 0: portrait first), calls in order"),
        "chunk_boxes": (cat("boxes").astype(np.int32), "official get_boxes x1 y1 x2 y2 at the base resolution"),
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
