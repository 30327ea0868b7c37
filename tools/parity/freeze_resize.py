#!/usr/bin/env python3
"""Freezes the official portrait resize into our CI test data (LanczosResizerTests, no PyTorch needed):
the official runner prepares the portrait with diffusers' VaeImageProcessor (PIL Lanczos resize, x/255,
2x-1), and for the motion extractor maps that back with /2 + 0.5 (src/wrapper.py fuse_reference).

  resize_input         (40, 40, 3) uint8  a fixed RGB test image (seeded blocks, ramps, pure 0 and 255)
  resize_up_levels     (3, 64, 64) uint8  PIL Lanczos 40 -> 64 (enlarging), planar
  resize_down_levels   (3, 16, 16) uint8  PIL Lanczos 40 -> 16 (shrinking, antialiased), planar
  resize_unit_table    (256,) float32     the motion extractor's input value of each 8-bit level
                                          (cond_image_processor.preprocess(...) / 2 + 0.5)
  resize_signed_table  (256,) float32     the VAE input value of each level (ref_image_processor)

The script checks that the official float tensors of both resizes equal table[level] element for element,
so the levels and the tables together are the official output bit for bit.
Usage: /usr/bin/python3 tools/parity/freeze_resize.py [--out DIR]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_env  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(REPO, "PersonaLive.Inference.Tests", "PersonaLive", "Parity", "Data")


def test_image():
    """Blocks of seeded colours, a diagonal ramp and hard 0/255 edges (where Lanczos overshoots)."""
    rng = np.random.default_rng(20261202)
    img = np.kron(rng.integers(0, 256, (8, 8, 3)), np.ones((5, 5, 1))).astype(np.uint8)
    y, x = np.mgrid[0:40, 0:40]
    img[:12, :, 1] = ((x[:12] + y[:12]) * 255 // 78).astype(np.uint8)
    img[30:, 10:20] = 255
    img[30:, 20:30] = 0
    return img


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    official_env.activate()
    import diffusers
    import PIL
    from PIL import Image
    from diffusers.image_processor import VaeImageProcessor

    # The two processors as src/wrapper.py builds them.
    ref = VaeImageProcessor(vae_scale_factor=8, do_convert_rgb=True)
    cond = VaeImageProcessor(vae_scale_factor=8, do_convert_rgb=True, do_normalize=True)
    src = test_image()
    levels = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, axis=2)
    unit = (cond.preprocess(Image.fromarray(levels), height=16, width=16) / 2 + 0.5)[0, 0].numpy().reshape(-1)
    signed = ref.preprocess(Image.fromarray(levels), height=16, width=16)[0, 0].numpy().reshape(-1)
    arrays = {"resize_input": (src, "fixed RGB test image (freeze_resize.py test_image)"),
              "resize_unit_table": (unit.astype(np.float32), "motion-extractor input value of 8-bit level v (cond processor, /2+0.5)"),
              "resize_signed_table": (signed.astype(np.float32), "VAE input value of 8-bit level v (ref processor)")}
    for name, size in (("resize_up_levels", 64), ("resize_down_levels", 16)):
        lv = np.asarray(Image.fromarray(src).resize((size, size), resample=Image.LANCZOS)).transpose(2, 0, 1).copy()
        for proc, table, shift in ((cond, unit, True), (ref, signed, False)):
            t = proc.preprocess(Image.fromarray(src), height=size, width=size)
            t = (t / 2 + 0.5 if shift else t)[0].numpy()
            if not np.array_equal(t, table[lv]):
                raise SystemExit(f"{name}: official tensor is not table[level]")
        arrays[name] = (lv, f"PIL Lanczos 40 -> {size}, planar RGB levels (= the official processors' input)")
    prov_path = os.path.join(args.out, "provenance.json")
    with open(prov_path, encoding="utf-8") as f:
        prov = json.load(f)
    for name, (a, what) in arrays.items():
        np.save(os.path.join(args.out, name + ".npy"), a)
        prov["arrays"][name] = {"shape": list(a.shape), "dtype": str(a.dtype), "what": what}
    prov["portraitResize"] = {"producedBy": "tools/parity/freeze_resize.py",
                              "processor": "diffusers.image_processor.VaeImageProcessor as src/wrapper.py builds it",
                              "diffusers": diffusers.__version__, "pillow": PIL.__version__}
    with open(prov_path, "w", encoding="utf-8") as f:
        json.dump(prov, f, indent=2)
        f.write("\n")
    print("froze", ", ".join(arrays))


if __name__ == "__main__":
    main()
