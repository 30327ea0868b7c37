#!/usr/bin/env python3
"""Runs the official PyTorch online runner (src/wrapper.py PersonaLive: fuse_reference, then
process_input once per chunk of 4 frames) on the CPU in fp32 with the reduced-configuration random
weights (make_weights.py --tiny), on a fixed portrait and fixed driving frames, fed with the engine's own
seeded noise; saves what the C# side compares after every chunk (OfficialChunkParityTests):

  chunks/cNN_video.npy     the 4 output frames (4,H,W,3) in [0,1]
  chunks/cNN_latents.npy   the carried latent window (1,4,12,h,w) after the call (latents_pile)
  chunks/cNN_pose.npy      the carried pose features (1,320,12,h,w) (pose_pile)
  chunks/cNN_motion.npy    the carried motion states (1,12,32,16) (motion_pile)
  chunks/cNN_motion_out.npy  motion frame 0 of the call (what the keyframe bank looks at)
  chunks/cNN_map_kps.npy, cNN_maps.npy   the fp16 keypoints draw_keypoints got and the maps it drew
  chunks/cNN_box_kps.npy, cNN_boxes.npy  the fp16 keypoints get_boxes got and its boxes (call 0: portrait first)
  chunks.json              per call: count, bank size, keyframe updates, distance to the bank
  portrait.png, frames/NNN.png   the inputs (8-bit RGB, read identically by both sides)

Run-time patches (all listed in tools/parity/README.md; no fetched file is edited):
  - config: personalive_online.yaml with dtype fp32 and reference size = --size (base resolution);
  - torch.randn_like -> the engine's seeded generator (engine_noise.py), same draw order;
  - torch.baddbmm with beta=0 gets a zero-filled `out` (patch_baddbmm: a PyTorch 1.13 CPU bug that
    turned the runner's latents NaN at a random call);
  - draw_keypoints / get_boxes in src/wrapper.py called at --size on fp16-rounded keypoints (the online
    config runs fp16; the port rounds there too, port-notes section 11);
  - the warm-up linspaces (interpolate_tensors of MotionExtractor and PersonaLive) rounded to fp16, as
    the fp16 online run computes them.
Usage: /usr/bin/python3 tools/parity/run_chunks.py --work DIR [--chunks 12] [--seed 7] [--size 256]
       [--contiguous-portrait]   (experiment: the processors' output made contiguous, see the option)
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_env  # noqa: E402
from engine_noise import EngineNoise  # noqa: E402


def synthetic_frames(size, count):
    """A portrait and `count` driving frames: a smooth background and a bright face-like ellipse with
    two dark eyes that drifts, turns and brightens from frame to frame (8-bit RGB)."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64) / size

    def frame(k):
        ph = 0.37 * k
        cx, cy = 0.5 + 0.06 * np.sin(ph), 0.5 + 0.04 * np.cos(1.3 * ph)
        rx, ry = 0.22 + 0.02 * np.sin(0.7 * ph), 0.30
        bg = np.stack([0.3 + 0.2 * np.sin(6 * x + c + ph) * np.cos(5 * y - c) for c in range(3)])
        face = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1
        img = bg.copy()
        img[:, face] = np.array([0.85, 0.7, 0.6])[:, None] * (0.9 + 0.1 * np.sin(ph))
        for ex in (-0.08, 0.08):
            eye = ((x - cx - ex - 0.01 * np.sin(2 * ph)) / 0.03) ** 2 + ((y - cy + 0.06) / 0.02) ** 2 < 1
            img[:, eye] = 0.1
        mouth = ((x - cx) / (0.07 + 0.03 * np.sin(ph))) ** 2 + ((y - cy - 0.12) / (0.015 + 0.02 * abs(np.sin(1.7 * ph)))) ** 2 < 1
        img[:, mouth] = np.array([0.5, 0.1, 0.1])[:, None]
        return (np.clip(img, 0, 1) * 255).round().astype(np.uint8).transpose(1, 2, 0)

    return frame(-3), [frame(k) for k in range(count)]


def patch_baddbmm(torch):
    """PyTorch 1.13's CPU baddbmm, for products small enough for its own kernel (rows x columns x depth
    < 400), scales the uninitialised result buffer by beta even when beta is 0, so garbage that reads as
    NaN/inf comes out as NaN (fixed upstream in 2.x; the official pin is 2.1). diffusers' attention scores
    call it with beta=0 on torch.empty; at base 128 the mid block's cross-attention on the single image
    embedding (4 x 1 x 40) is that small. A zero-filled `out` gives the result beta=0 defines, bit for bit."""
    baddbmm = torch.baddbmm

    def run(input, batch1, batch2, *, beta=1, alpha=1, out=None):
        if beta == 0 and out is None:
            out = torch.zeros(torch.broadcast_shapes(input.shape, batch1.shape[:2] + batch2.shape[2:]),
                              dtype=batch1.dtype, device=batch1.device)
        return baddbmm(input, batch1, batch2, beta=beta, alpha=alpha, out=out)
    torch.baddbmm = run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.environ.get("PARITY_WORK", "/work/parity-work"))
    ap.add_argument("--chunks", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--reference-bank", choices=("fp16", "fp32"), default="fp16",
                    help="dtype of the reader's reference bank: update()/update_hkf() default to fp16 and the "
                         "runner passes none, so an fp32 run keeps the 16 reference states in fp16 unless fp32")
    ap.add_argument("--contiguous-portrait", action="store_true",
                    help="experiment, not the official behaviour: make diffusers' VaeImageProcessor hand over a "
                         "contiguous tensor; it normally returns an NHWC-strided view (channels_last to PyTorch), "
                         "whose CPU convolution path put the runner's portrait latents 4.2e-5 off (port-notes 11)")
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    root = official_env.activate()
    os.chdir(root)
    import torch
    from omegaconf import OmegaConf
    from PIL import Image
    import src.wrapper as wrapper
    import src.utils.util as util
    from src.liveportrait.motion_extractor import MotionExtractor

    size = args.size
    out = os.path.join(work, "chunks")
    os.makedirs(os.path.join(work, "frames"), exist_ok=True)
    os.makedirs(out, exist_ok=True)
    portrait, frames = synthetic_frames(size, 4 * args.chunks)
    Image.fromarray(portrait).save(os.path.join(work, "portrait.png"))
    for i, f in enumerate(frames):
        Image.fromarray(f).save(os.path.join(work, "frames", f"{i:03d}.png"))

    if args.contiguous_portrait:
        from diffusers.image_processor import VaeImageProcessor
        to_pt = VaeImageProcessor.numpy_to_pt
        VaeImageProcessor.numpy_to_pt = staticmethod(lambda images: to_pt(images).contiguous())
    # Patches (see the module docstring).
    noise = EngineNoise(args.seed)
    torch.randn_like = lambda like, **_: noise.randn_like(torch, like)
    patch_baddbmm(torch)
    if args.reference_bank == "fp32":
        from src.models.mutual_self_attention import ReferenceAttentionControl as Rac
        for name in ("update", "update_hkf"):
            fn = getattr(Rac, name)
            setattr(Rac, name, lambda self, writer, dtype=None, _fn=fn, **k: _fn(self, writer, dtype=torch.float32, **k))
    # The fp16 online run hands draw_keypoints/get_boxes fp16 keypoints, so their pixel arithmetic
    # (v*0.5+0.5, *size, then .long()) rounds to fp16 at every step. Casting back to fp32 before drawing
    # (what this harness did first) moves a pixel whenever a value lies just below an integer.
    drawn = {"maps": [], "map_kps": [], "boxes": [], "box_kps": []}

    def draw_keypoints(kps, device="cpu"):
        half = kps.half()
        m = util.draw_keypoints(half, height=size, width=size, device=device)
        drawn["map_kps"].append(half.float().numpy())
        drawn["maps"].append(m.numpy())
        return m

    def get_boxes(kps):
        half = kps.half()
        b = util.get_boxes(half, height=size, width=size)
        drawn["box_kps"].append(half.float().numpy())
        drawn["boxes"].append(b.numpy())
        return b
    wrapper.draw_keypoints = draw_keypoints
    wrapper.get_boxes = get_boxes
    linspace = torch.linspace

    def fp16_linspace(*a, **k):
        return linspace(*a, **k).half().to(k.get("dtype") or torch.float32)

    def fp16_warm_up(fn):
        def run(*a, **k):
            torch.linspace = fp16_linspace
            try:
                return fn(*a, **k)
            finally:
                torch.linspace = linspace
        return run
    MotionExtractor.interpolate_tensors = fp16_warm_up(MotionExtractor.interpolate_tensors)
    wrapper.PersonaLive.interpolate_tensors = fp16_warm_up(wrapper.PersonaLive.interpolate_tensors)
    distances = []
    calc = wrapper.PersonaLive.calculate_dis

    def calculate_dis(self, A, B, threshold=10.):
        d = torch.cdist(B.view(B.size(1), -1)[:1].float(), A.view(A.size(1), -1).float()).min().item()
        distances.append(d)
        return calc(self, A, B, threshold)
    wrapper.PersonaLive.calculate_dis = calculate_dis

    cfg = OmegaConf.load("./configs/prompts/personalive_online.yaml")
    cfg.dtype = "fp32"
    cfg.reference_image_height = cfg.reference_image_width = size
    cfg.height = cfg.width = size
    cfg_path = os.path.join(work, "online_fp32.yaml")
    OmegaConf.save(cfg, cfg_path)

    class Args:
        config_path = cfg_path

    t0 = time.time()
    pipe = wrapper.PersonaLive(Args(), device="cpu")
    print(f"official PersonaLive built in {time.time() - t0:.0f} s", flush=True)
    # The PyTorch runner leaves some networks in training mode (it calls eval() on the motion encoder and
    # the detector only). Record where that would change numbers (Dropout with p > 0, BatchNorm), then
    # run everything in eval mode, as the exported TensorRT path does.
    stochastic = {}
    for name in ("pose_guider", "motion_encoder", "pose_encoder", "denoising_unet", "reference_unet", "vae",
                 "image_encoder"):
        net = getattr(pipe, name)
        hits = [n for n, m in net.named_modules() if m.training and (
            (isinstance(m, torch.nn.Dropout) and m.p > 0) or isinstance(m, torch.nn.modules.batchnorm._BatchNorm))]
        if hits:
            stochastic[name] = {"count": len(hits), "first": hits[:3]}
        net.eval()
    print("training-mode Dropout/BatchNorm in the PyTorch runner:", json.dumps(stochastic), flush=True)
    # src/wrapper.py builds src/models/unet_3d.py, the fused step unet_3d_explicit_reference.py; both load
    # denoising_unet.pth with strict=False, so check that every parameter of the runner's UNet was loaded.
    saved = torch.load(cfg.denoising_unet_path, map_location="cpu")
    missing = [k for k in pipe.denoising_unet.state_dict() if k not in saved and "pos_encoder" not in k]
    if missing:
        raise SystemExit(f"denoising UNet keys not in denoising_unet.pth: {missing[:5]} ({len(missing)})")
    del saved
    pipe.fuse_reference(Image.fromarray(portrait))
    summary = {"seed": args.seed, "size": size, "chunks": args.chunks, "trainingModeModules": stochastic,
               "calls": []}
    for c in range(args.chunks):
        t = time.time()
        batch = np.stack(frames[4 * c:4 * c + 4]).astype(np.float32) / 255.0
        images = torch.from_numpy(batch).permute(0, 3, 1, 2) * 2 - 1
        motion_out = None if pipe.first_frame else torch.cat(list(pipe.motion_pile), 1)[:, :1].clone()
        before = len(distances)
        video = pipe.process_input(images)
        if motion_out is None:
            motion_out = pipe.motion_bank[:, :1].clone()
        np.save(os.path.join(out, f"c{c:02d}_video.npy"), np.asarray(video, dtype=np.float32))
        np.save(os.path.join(out, f"c{c:02d}_latents.npy"), torch.cat(list(pipe.latents_pile), 2).numpy())
        np.save(os.path.join(out, f"c{c:02d}_pose.npy"), torch.cat(list(pipe.pose_pile), 2).numpy())
        np.save(os.path.join(out, f"c{c:02d}_motion.npy"), torch.cat(list(pipe.motion_pile), 1).numpy())
        np.save(os.path.join(out, f"c{c:02d}_motion_out.npy"), motion_out.numpy())
        # What process_input drew this call: the keypoints (fp16 values) handed to draw_keypoints and
        # get_boxes, the keypoint maps and the boxes (the portrait's box first on call 0).
        np.save(os.path.join(out, f"c{c:02d}_map_kps.npy"), np.concatenate(drawn["map_kps"]))
        np.save(os.path.join(out, f"c{c:02d}_maps.npy"), np.concatenate(drawn["maps"]))
        np.save(os.path.join(out, f"c{c:02d}_box_kps.npy"), np.concatenate(drawn["box_kps"][::-1]))
        np.save(os.path.join(out, f"c{c:02d}_boxes.npy"), np.concatenate(drawn["boxes"][::-1]))
        for v in drawn.values():
            v.clear()
        call = {"call": c, "count": pipe.count, "bank": int(pipe.motion_bank.shape[1]),
                "keyframes": pipe.num_khf, "referenceLength0": None,
                "distance": distances[before] if len(distances) > before else None,
                "noiseDrawn": noise.drawn, "seconds": round(time.time() - t, 1)}
        summary["calls"].append(call)
        print(json.dumps(call), flush=True)
        with open(os.path.join(work, "chunks.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
