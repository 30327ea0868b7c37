#!/usr/bin/env python3
"""run_chunks.py (same options) with one change: the portrait's motion-extractor input is resized the way
the port resized it before it adopted PIL's Lanczos (a float triangle filter with PIL's 'bilinear' support
rule) instead of the official processor's PIL Lanczos. Compared with a normal run by compare_runs.py, it
shows inside the official runner alone what that resize did (docs/personalive/parity.md section 11).
Usage: /usr/bin/python3 tools/parity/run_triangle.py --work DIR [--chunks 2] [--size 128]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_env  # noqa: E402
official_env.activate()
import torch  # noqa: E402
from diffusers.image_processor import VaeImageProcessor  # noqa: E402
orig = VaeImageProcessor.preprocess

def triangle(img, out):
    n = img.shape[0]; ratio = n / out; sup = max(ratio, 1.0)
    W = np.zeros((out, n))
    for i in range(out):
        c = (i + 0.5) * ratio
        for x in range(max(int(np.floor(c - sup)), 0), min(int(np.ceil(c + sup)), n)):
            W[i, x] = max(0, 1 - abs((x + 0.5 - c) / sup))
        W[i] /= W[i].sum()
    f = img.astype(np.float64).transpose(2, 0, 1) / 255
    return np.einsum("ij,cjk,lk->cil", W, f, W).astype(np.float32)[None]

def pre(self, image, height=None, width=None, **k):
    if height == 256 and self.config.do_normalize:
        print("portrait detector input: triangle filter", flush=True)
        return torch.from_numpy(triangle(np.asarray(image.convert("RGB")), 256)) * 2 - 1
    return orig(self, image, height=height, width=width, **k)
VaeImageProcessor.preprocess = pre
import run_chunks  # noqa: E402

if __name__ == "__main__":
    run_chunks.main()
