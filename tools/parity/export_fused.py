#!/usr/bin/env python3
"""Exports the fused per-chunk step the way the official torch2trt.py does, on the CPU in fp32:
the same modules built by the same official calls (PoseGuider, MotEncoder with AttnProcessor,
UNet3DConditionModel.from_pretrained_2d from src/models/unet_3d_explicit_reference.py + the two
state dicts, AutoencoderKL with the default attention processor, DDIMScheduler with step length 333),
wrapped in the official src/modeling/framed_models.py:unet_work with the official per-frame timesteps,
exported by the official src/modeling/onnx_export.py:export_onnx at 256x256 (torch2trt.py's trace size;
PARITY_BASE=128 traces at 128x128, the smallest base this harness was run at)
and re-saved by the official optimize_onnx (one external-data file). torch2trt.py itself is not run: it
is a module-level script that hard-codes cuda/fp16 and builds a TensorRT engine after the export.

Also dumps, for the C# comparison, the example inputs export_onnx traced with and the PyTorch outputs of
unet_work on them (PARITY_WORK/dumps/fused_step/in_*.npy, out_*.npy).
Usage: /usr/bin/python3 tools/parity/export_fused.py [--work /work/parity-work] [--skip-export]
       [--log FILE] [--no-dump] [--no-shape-inference]
--log writes a progress log of the export (export_watch.py: phases, nodes converted, stack samples).
--no-shape-inference runs the same export with PyTorch's per-node ONNX shape inference off (a deviation
from torch2trt.py, for a PyTorch whose conversion is too slow with it; README, run-time patch 6).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_env  # noqa: E402

SIZE = int(os.environ.get("PARITY_BASE", "256"))  # torch2trt.py: height = width = 256; 128 allowed
OPSET = 17          # torch2trt.py: onnx_opset = 17
SEED = 2024         # example inputs (get_sample_input draws torch.randn)


def build(torch):
    """Mirrors torch2trt.py's module construction with device=cpu, dtype=float32."""
    from omegaconf import OmegaConf
    from diffusers import AutoencoderKL
    from diffusers.models.attention_processor import AttnProcessor
    from src.models.motion_encoder.encoder import MotEncoder
    from src.models.pose_guider import PoseGuider
    from src.models.unet_3d_explicit_reference import UNet3DConditionModel
    from src.modeling.framed_models import unet_work
    from src.scheduler.scheduler_ddim import DDIMScheduler

    cfg = OmegaConf.load("./configs/prompts/personalive_online.yaml")
    infer = OmegaConf.load(cfg.inference_config)
    pose_guider = PoseGuider()
    pose_guider.load_state_dict(torch.load(cfg.pose_guider_path, map_location="cpu"))
    motion_encoder = MotEncoder().eval()
    motion_encoder.set_attn_processor(AttnProcessor())
    motion_encoder.load_state_dict(torch.load(cfg.motion_encoder_path, map_location="cpu"))
    unet = UNet3DConditionModel.from_pretrained_2d(cfg.pretrained_base_model_path, "", subfolder="unet",
                                                   unet_additional_kwargs=infer.unet_additional_kwargs)
    unet.load_state_dict(torch.load(cfg.denoising_unet_path, map_location="cpu"), strict=False)
    unet.load_state_dict(torch.load(cfg.temporal_module_path, map_location="cpu"), strict=False)
    unet.set_attn_processor(AttnProcessor())
    vae = AutoencoderKL.from_pretrained(cfg.vae_model_path)
    vae.set_default_attn_processor()
    scheduler = DDIMScheduler(**OmegaConf.to_container(infer.noise_scheduler_kwargs))
    timesteps = torch.tensor([0, 0, 0, 0, 333, 333, 333, 333, 666, 666, 666, 666, 999, 999, 999, 999]).long()
    scheduler.set_step_length(333)
    model = unet_work(pose_guider, motion_encoder, unet, vae, scheduler, timesteps).eval()
    widen_sample_input(model, unet.config.block_out_channels)
    return cfg, model


def widen_sample_input(model, widths):
    """Run-time patch: unet_work.get_sample_input hard-codes SD 1.5's reference widths (320, 640, 1280);
    with the reduced configuration (make_weights.py --tiny) they come from the UNet's block widths instead:
    down block i -> widths[i], mid -> widths[3], up block i -> widths[3 - i]. Identical for the published
    configuration."""
    official = model.get_sample_input

    def sample(b, h, w, dtype, device):
        x = official(b, h, w, dtype, device)
        for name in list(x):
            if name[0] in "dmu" and len(name) <= 3 and name not in ("motion",):
                width = widths[3] if name == "m" else widths[int(name[1])] if name[0] == "d" else widths[3 - int(name[1])]
                shape = list(x[name].shape[:-1]) + [width]
                if shape != list(x[name].shape):
                    x[name] = torch_randn(shape, dtype, device)
        return x

    def torch_randn(shape, dtype, device):
        import torch
        return torch.randn(shape, dtype=dtype, device=device)
    model.get_sample_input = sample


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.environ.get("PARITY_WORK", "/work/parity-work"))
    ap.add_argument("--skip-export", action="store_true", help="only (re)write the dumps")
    ap.add_argument("--no-dump", action="store_true", help="keep the dumps already written")
    ap.add_argument("--log", help="progress log of the export (export_watch.py)")
    ap.add_argument("--onnx-dir", help="write unet/unet.onnx and unet_opt/unet_opt.onnx here instead of the "
                                       "official config's pretrained_weights/onnx")
    ap.add_argument("--no-shape-inference", action="store_true",
                    help="export with torch.onnx's per-node shape inference off (README, patch 6)")
    args = ap.parse_args()
    root = official_env.activate()
    os.chdir(root)
    import torch
    from src.modeling.onnx_export import export_onnx, optimize_onnx

    watch = None
    if args.log:
        import export_watch
        watch = export_watch.install(args.log)
    if args.no_shape_inference:
        shape_inference_off(torch)
    cfg, model = build(torch)
    if args.onnx_dir:
        cfg.onnx_path = os.path.join(args.onnx_dir, "unet", "unet.onnx")
        cfg.onnx_opt_path = os.path.join(args.onnx_dir, "unet_opt", "unet_opt.onnx")
    print("fused step built:", sum(p.numel() for p in model.parameters()), "parameters", flush=True)
    names = model.get_input_names()
    torch.manual_seed(SEED)
    example = model.get_sample_input(1, SIZE, SIZE, torch.float32, torch.device("cpu"))
    dump = os.path.join(args.work, "dumps", "fused_step")
    os.makedirs(dump, exist_ok=True)
    if args.no_dump:
        names = []
    for n in names:
        np.save(os.path.join(dump, f"in_{n}.npy"), example[n].numpy())
    if names:
        with torch.no_grad():
            outs = model(*[example[n] for n in names])
        for n, y in zip(model.get_output_names(), outs):
            np.save(os.path.join(dump, f"out_{n}.npy"), y.float().numpy())
        print("dumped fused-step inputs and PyTorch outputs to", dump, flush=True)
    if args.skip_export:
        return
    # export_onnx draws its own example inputs with get_sample_input; seeding again makes them the
    # dumped ones (the traced graph does not depend on them anyway).
    torch.manual_seed(SEED)
    if watch:
        watch.say("official export_onnx starts")
    export_onnx(model, onnx_path=cfg.onnx_path, opt_image_height=SIZE, opt_image_width=SIZE,
                opt_batch_size=1, onnx_opset=OPSET, auto_cast=True, dtype=torch.float32,
                device=torch.device("cpu"))
    del model
    if watch:
        watch.say("official export_onnx done; optimize_onnx starts")
    os.makedirs(os.path.dirname(cfg.onnx_opt_path), exist_ok=True)
    optimize_onnx(onnx_path=cfg.onnx_path, onnx_opt_path=cfg.onnx_opt_path)
    if watch:
        watch.say("optimize_onnx done")
    print("wrote", os.path.abspath(cfg.onnx_opt_path))


def shape_inference_off(torch):
    """Run-time patch 6 (only with --no-shape-inference): torch.onnx.export calls the internal _export
    with per-node ONNX shape inference on; PyTorch 1.13 builds a one-node ONNX model for every converted
    node to infer its shape (copying the weights it reads), which made the fused step's conversion run
    for more than 20 CPU-minutes. This passes onnx_shape_inference=False instead, nothing else."""
    import torch.onnx.utils as utils
    original = utils._export

    def export_without(*args, **kwargs):
        kwargs["onnx_shape_inference"] = False
        return original(*args, **kwargs)
    utils._export = export_without
    typed_clamp_min()


def typed_clamp_min():
    """Part of patch 6: without shape inference, values made inside a symbolic function carry no type.
    PyTorch 1.13's opset-11 `clamp` with two scalar bounds then calls clamp_max(clamp_min(x)), and
    clamp_max reads the scalar type of clamp_min's untyped output and fails ("Scalar type name cannot be
    None"; the 16:04 run failed there, at `(x / 2 + 0.5).clamp(0, 1)` in unet_work.decode_slice). The
    element-wise clamp_min keeps its input's type, so its output gets that type; the ops are unchanged."""
    from torch.onnx import symbolic_opset11 as o11
    original = o11.clamp_min

    def clamp_min(g, self, min):
        out = original(g, self, min)
        if out.type().scalarType() is None and self.type().scalarType() is not None:
            out.setType(self.type())
        return out
    o11.clamp_min = clamp_min


if __name__ == "__main__":
    main()
