#!/usr/bin/env python3
"""Compares two runs of run_chunks.py (the official runner) call by call: max abs and relative error of
the output frames, carried latents, pose features and motion states. Used to measure how far the
official runner moves from itself when only the floating-point summation order changes (e.g. another
OpenBLAS kernel via OPENBLAS_CORETYPE, or another thread count), the yardstick for the engine-vs-runner
errors of docs/personalive/parity.md.
Usage: /usr/bin/python3 tools/parity/compare_runs.py WORK_A WORK_B
"""
import json
import os
import sys

import numpy as np

QUANTITIES = ("video", "latents", "pose", "motion")


def main():
    a, b = sys.argv[1], sys.argv[2]
    calls = min(len(json.load(open(os.path.join(w, "chunks.json")))["calls"]) for w in (a, b))
    worst = {q: (0.0, 0.0) for q in QUANTITIES}
    for c in range(calls):
        row = []
        for q in QUANTITIES:
            x = np.load(os.path.join(a, "chunks", f"c{c:02d}_{q}.npy")).astype(np.float64)
            y = np.load(os.path.join(b, "chunks", f"c{c:02d}_{q}.npy")).astype(np.float64)
            err = float(np.abs(x - y).max())
            rel = err / float(np.abs(x).max())
            worst[q] = max(worst[q], (rel, err))
            row.append(f"{q} {err:.2e} ({rel:.2e})")
        print(f"call {c}: " + ", ".join(row))
    print("worst relative: " + ", ".join(f"{q} {r:.2e} (abs {e:.2e})" for q, (r, e) in worst.items()))


if __name__ == "__main__":
    main()
