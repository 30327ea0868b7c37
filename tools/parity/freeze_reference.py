#!/usr/bin/env python3
"""Freezes small reference tensors computed BY THE OFFICIAL CODE into our test data, so CI (which has no
PyTorch) can check the C# port against them: PersonaLive.Inference.Tests/PersonaLive/Parity/Data/.

What is computed, each with the official function that computes it (no formula is re-typed here):
  ddim_*        src/scheduler/scheduler_ddim.py DDIMScheduler (config noise_scheduler_kwargs of
                configs/inference/inference_stage3.yaml, set_step_length(333)): alphas_cumprod,
                add_noise and step() over the 16-frame window's timesteps, fp32.
  kp_*          src/liveportrait/motion_extractor.py MotionExtractor.interpolate_kps_online (first chunk:
                12 warm-up + 4 driving poses) and .get_kps (a later chunk), in fp32 (CPU PyTorch 1.13 has
                no fp16 softmax), driven by a scripted detector that returns fixed head-pose logits, t,
                scale and canonical keypoints (a random-weight ConvNeXt would put every keypoint off the
                canvas). The detector outputs are fp16-representable, as the fp16 online run's are.
  map_*         src/utils/util.py draw_keypoints at 512 and 256 of the keypoints cast to fp16, as the fp16
                online run draws them (sparse: flat index + value of the non-zeros).
  box_*         src/utils/util.py get_boxes of the driving keypoints (cast to fp16) at 512.
  crop_*        src/wrapper.py PersonaLive.crop_face_tensor of a synthetic 512 image, every 4th pixel.
  bank_*        src/wrapper.py PersonaLive.calculate_dis (threshold 17) over 20 calls of a scripted motion
                sequence, gated as process_input gates it (count > 8, at most 3 keyframe updates).
Usage: python3 tools/parity/freeze_reference.py [--out DIR]
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


def synthetic_image(size=512):
    """The crop source, recomputed in the C# test: planar RGB, smooth, in [-1, 1]."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    planes = [np.sin(0.031 * x + 0.7 * c) * np.cos(0.023 * y - 0.4 * c) for c in range(3)]
    return np.stack(planes).astype(np.float32)


def detector_table(rng):
    """Per scripted image index: head-pose logits peaked near a chosen angle, t, scale, kp."""
    rows = []
    canonical = rng.uniform(-0.35, 0.35, size=(21, 3))
    for i in range(9):
        def logits(deg):
            centre = (deg + 97.5) / 3
            bins = np.arange(66)
            return -0.5 * ((bins - centre) / 2.5) ** 2 + 0.3 * rng.standard_normal(66)
        rows.append({
            "pitch": logits(rng.uniform(-15, 15)), "yaw": logits(rng.uniform(-25, 25)),
            "roll": logits(rng.uniform(-10, 10)), "t": rng.uniform(-0.08, 0.08, size=3),
            "scale": rng.uniform(1.2, 1.6, size=1),
            "kp": (canonical + 0.02 * rng.standard_normal((21, 3))).reshape(-1),
        })
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    root = official_env.activate()
    os.chdir(root)
    import torch
    from omegaconf import OmegaConf
    from src.liveportrait.motion_extractor import MotionExtractor
    from src.scheduler.scheduler_ddim import DDIMScheduler
    from src.utils.util import draw_keypoints, get_boxes
    from src.wrapper import PersonaLive

    os.makedirs(args.out, exist_ok=True)
    saved = {}

    def save(name, a, note):
        a = a.detach().cpu().numpy() if hasattr(a, "detach") else np.asarray(a)
        np.save(os.path.join(args.out, name + ".npy"), a)
        saved[name] = {"shape": list(a.shape), "dtype": str(a.dtype), "what": note}

    # --- DDIM schedule -----------------------------------------------------------------------
    cfg = OmegaConf.load("./configs/prompts/personalive_online.yaml")
    kw = OmegaConf.to_container(OmegaConf.load(cfg.inference_config).noise_scheduler_kwargs)
    sched = DDIMScheduler(**kw)
    sched.set_step_length(333)
    save("ddim_alphas_cumprod", sched.alphas_cumprod.float(), "DDIMScheduler.alphas_cumprod (1000)")
    g = torch.Generator().manual_seed(7)
    window_t = torch.tensor([0] * 4 + [333] * 4 + [666] * 4 + [999] * 4).long()
    x = torch.randn(16, 4, 2, 2, generator=g)
    eps = torch.randn(16, 4, 2, 2, generator=g)
    prev, x0 = sched.step(eps, window_t, x, generator=None, return_dict=False)
    save("ddim_step_sample", x, "step() input sample, frame f at window_t[f]")
    save("ddim_step_eps", eps, "step() input model output (epsilon)")
    save("ddim_step_prev", prev, "step() prev_sample")
    save("ddim_step_x0", x0, "step() pred_original_sample")
    noisy = sched.add_noise(x, eps, torch.tensor([0, 333, 666, 999]).long().repeat_interleave(4))
    save("ddim_add_noise", noisy, "add_noise(sample, eps, window timesteps)")

    # --- keypoints, maps, boxes, crops ---------------------------------------------------------
    table = detector_table(np.random.default_rng(11))

    class ScriptedDetector(torch.nn.Module):
        """Returns table rows selected by each image's [0,0,0] pixel value (its row index)."""
        def forward(self, img):
            idx = [int(round(float(v))) for v in img[:, 0, 0, 0]]
            return {k: torch.tensor(np.stack([table[i][k] for i in idx]), dtype=torch.float16).to(img.dtype)
                    for k in ("pitch", "yaw", "roll", "t", "scale", "kp")}

    ext = MotionExtractor(num_kp=21)
    ext.detector = ScriptedDetector()

    def images(rows):
        t = torch.zeros(len(rows), 3, 4, 4)
        t[:, 0, 0, 0] = torch.tensor(rows, dtype=torch.float32)
        return t

    with torch.no_grad():
        ref = images([0])
        first = images([1, 2, 3, 4])
        kp_interp, kp_ref, kp_frame1, kp_dri = ext.interpolate_kps_online(ref, first, num_interp=13)
        later = images([5, 6, 7, 8])
        kp_next, kp_next_dri = ext.get_kps(kp_ref, kp_frame1, later)
    for k in ("pitch", "yaw", "roll", "t", "scale", "kp"):
        save(f"det_{k}", torch.tensor(np.stack([r[k] for r in table]), dtype=torch.float16),
             f"scripted detector output '{k}' for images 0 (portrait), 1-4 (chunk 0), 5-8 (chunk 1)")
    save("kp_first_chunk", kp_interp, "interpolate_kps_online: 12 warm-up + 4 driving poses on the portrait")
    save("kp_first_driving", kp_dri, "interpolate_kps_online: the 4 driving frames' own keypoints")
    save("kp_next_chunk", kp_next, "get_kps: chunk 1 poses transferred onto the portrait")
    save("kp_next_driving", kp_next_dri, "get_kps: chunk 1 frames' own keypoints")

    for size in (512, 256):
        m = draw_keypoints(kp_next.half(), height=size, width=size, device="cpu").float().numpy()
        flat = np.flatnonzero(m)
        save(f"map{size}_index", flat.astype(np.int64), f"draw_keypoints(kp_next_chunk, {size}): flat non-zero index in (4,3,{size},{size})")
        save(f"map{size}_value", m.reshape(-1)[flat].astype(np.float32), f"... and their values")
    boxes = get_boxes(kp_next_dri.half())
    save("box_next_driving", boxes, "get_boxes(kp_next_driving) at 512: x1 y1 x2 y2")

    image = torch.from_numpy(synthetic_image())
    crops = [PersonaLive.crop_face_tensor(None, image, boxes[i])[0] for i in range(2)]
    save("crop_stride4", torch.stack(crops)[:, :, ::4, ::4], "crop_face_tensor(synthetic image, box i) for i=0,1, every 4th pixel")

    # --- keyframe bank -------------------------------------------------------------------------
    rng = np.random.default_rng(5)
    base = rng.standard_normal((1, 1, 32, 16)).astype(np.float32)
    steps = rng.standard_normal((20, 1, 1, 32, 16)).astype(np.float32)
    scales = np.array([0.2, 0.3, 1.5, 0.4, 0.1, 0.2, 0.8, 0.3, 0.2, 0.5, 0.3, 1.2, 0.2, 0.2, 0.9, 0.1,
                       0.6, 0.7, 0.2, 0.3], dtype=np.float32)
    motions = [base + np.cumsum(steps[:i + 1] * scales[:i + 1, None, None, None, None], axis=0)[-1]
               for i in range(20)]
    bank = torch.from_numpy(base)
    decisions, distances, num_khf = [], [], 0
    for count, mot in enumerate(motions):
        window = torch.from_numpy(np.concatenate([mot] + [rng.standard_normal((1, 1, 32, 16)).astype(np.float32)] * 15, axis=1))
        add = []
        if count > 8:
            before = bank.clone()
            add, bank, _ = PersonaLive.calculate_dis(None, bank, window, threshold=17.)
            distances.append(float(torch.cdist(window[0, :1].reshape(1, -1), before.view(before.size(1), -1)).min()))
        else:
            distances.append(float("nan"))
        take = len(add) > 0 and num_khf < 3
        num_khf += int(take)
        decisions.append(int(take))
    save("bank_motion", np.concatenate(motions, axis=1)[0], "emitted motion (frame 0 of the window) per call, 20 calls")
    save("bank_portrait", base[0, 0], "the portrait's motion state (bank entry 0)")
    save("bank_decision", np.array(decisions, dtype=np.int64), "1 = reference states updated after this call")
    save("bank_distance", np.array(distances, dtype=np.float32), "min distance to the bank (NaN before count 9)")

    with open(os.path.join(official_env.DEPS, "VERSIONS"), encoding="utf-8") as f:
        versions = dict(line.split() for line in f if line.strip())
    provenance = {
        "producedBy": "tools/parity/freeze_reference.py",
        "official": {"repository": "GVCLab/PersonaLive", "commit": versions.get("PersonaLive")},
        "dependencies": {k: v for k, v in versions.items() if k != "PersonaLive"},
        "torch": torch.__version__, "numpy": np.__version__,
        "arrays": saved,
    }
    with open(os.path.join(args.out, "provenance.json"), "w", encoding="utf-8") as f:
        json.dump(provenance, f, indent=2)
        f.write("\n")
    print(f"wrote {len(saved)} arrays to {args.out}")


if __name__ == "__main__":
    main()
