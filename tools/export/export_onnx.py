#!/usr/bin/env python3
"""Export the six PersonaLive helper networks to ONNX and write our model-set manifest.

WHAT THIS IS
    The PersonaLive C# engine (PersonaLive.Inference, engine "personalive") runs seven ONNX networks.
    The seventh, the fused per-chunk step, is the very `unet_opt.onnx` (+ `unet_opt.onnx.data`) that the
    official `torch2trt.py` of GVCLab/PersonaLive writes. This script exports the other six with the
    input/output names our engine expects, and writes `manifest.json` describing all seven
    (see tools/export/manifest.example.json and docs/personalive/port-notes.md).

WHERE IT HAS RUN
    For real weights it needs a checkout of the official repository with its downloaded weights
    (pretrained_weights/...), PyTorch with a CUDA GPU, and the official Python requirements
    (requirements_base.txt + requirements_trt.txt: torch 2.1, diffusers 0.27, transformers 4.36, onnx).
    Without a GPU it runs on the CPU in fp32 (--device cpu --dtype fp32): tools/parity runs it that way
    against the official code with seeded random weights at --base 256 and checks every exported network
    against PyTorch through our C# engine (docs/personalive/parity.md). The fp16 GPU path is unchanged but
    has still not run here.

WHAT IT WAS WRITTEN AGAINST
    GVCLab/PersonaLive at commit 32f401d2053857b9d822b14cd63e861a16767bf4 ("update header.svg", 2025-12-31):
    src/wrapper_trt.py (PersonaLive.__init__, fuse_reference, process_input), torch2trt.py,
    src/modeling/framed_models.py (unet_work), src/modeling/onnx_export.py (export_onnx, optimize_onnx),
    src/models/mutual_self_attention.py (ReferenceAttentionControl.output), src/liveportrait/*.py,
    src/models/pose_guider.py, src/models/motion_encoder/encoder.py,
    configs/prompts/personalive_online.yaml. It imports the official classes; it contains no copy of them.

HOW TO RUN
    cd /path/to/PersonaLive                       # official checkout, weights downloaded
    python torch2trt.py                           # optional: writes pretrained_weights/onnx/unet_opt/
    python /path/to/our/tools/export/export_onnx.py --out ./pretrained_weights/onnx/personalive-modelset
    # then point the C# engine's model directory option at the --out folder.
    Options: --dtype fp16|fp32 (default fp16, as the official online config), --copy-fused to copy the
    fused step into the model set instead of referencing it, --verify to compare ONNX Runtime (if
    installed) against PyTorch on random inputs, --only to export a subset, --base 256 for a set traced
    at 256x256 (smaller GPUs), --device cpu (fp32 only), --dump DIR to write each network's example inputs
    and PyTorch outputs as .npy for a check without Python ONNX Runtime.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

OFFICIAL_COMMIT_READ = "32f401d2053857b9d822b14cd63e861a16767bf4"
BASE = 512                      # base output resolution; latents are BASE // 8
LAT = BASE // 8
CLIP_DIM = 768
MANIFEST_FORMAT = "personalive.modelset"
MANIFEST_VERSION = 1

# The 16 reference hidden states in the order the fused step takes them, with the divisor of the
# latent area (64*64 at 512) giving their token count L, and their channel count C.
REFERENCE_STATES = [
    ("d00", 1, 320), ("d01", 1, 320), ("d10", 4, 640), ("d11", 4, 640),
    ("d20", 16, 1280), ("d21", 16, 1280), ("m", 64, 1280),
    ("u10", 16, 1280), ("u11", 16, 1280), ("u12", 16, 1280),
    ("u20", 4, 640), ("u21", 4, 640), ("u22", 4, 640),
    ("u30", 1, 320), ("u31", 1, 320), ("u32", 1, 320),
]

FUSED_INPUTS = ["sample", "encoder_hidden_states", "motion_hidden_states", "motion",
                "pose_cond_fea", "pose", "new_noise"] + [n for n, _, _ in REFERENCE_STATES]
FUSED_OUTPUTS = ["pred_video", "latents", "pose_cond_fea_out", "motion_hidden_states_out",
                 "motion_out", "latent_first"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repo", default=".", help="official PersonaLive checkout (default: current dir)")
    p.add_argument("--config", default="./configs/prompts/personalive_online.yaml")
    p.add_argument("--out", default="./pretrained_weights/onnx/personalive-modelset")
    p.add_argument("--dtype", choices=["fp16", "fp32"], default="fp16")
    p.add_argument("--device", default="cuda:0",
                   help="cuda:N, or cpu (fp32 only; what tools/parity uses with random weights)")
    p.add_argument("--base", type=int, default=512,
                   help="base output resolution the set is traced at (512 = official; multiple of 64)")
    p.add_argument("--dump", default=None,
                   help="folder to write each network's example inputs and PyTorch outputs to (.npy)")
    p.add_argument("--opset", type=int, default=17, help="17 = what the official torch2trt.py uses")
    p.add_argument("--fused-step", default=None,
                   help="path of unet_opt.onnx (default: onnx_opt_path from the config)")
    p.add_argument("--copy-fused", action="store_true",
                   help="copy unet_opt.onnx and its .data into <out>/unet_opt/ instead of referencing it")
    p.add_argument("--only", default="",
                   help="comma list of networks to export (default: all six); 'fused_step' alone only "
                        "re-describes the fused step and rewrites the manifest")
    p.add_argument("--verify", action="store_true", help="compare ONNX Runtime with PyTorch outputs")
    return p.parse_args(argv)


# ----------------------------------------------------------------------------------------------
# Thin export heads around the official modules (each returns plain tensors with our names).
# ----------------------------------------------------------------------------------------------
def build_heads(torch, nn):
    class ImageEncoderHead(nn.Module):
        """CLIP vision tower with projection; (1,3,224,224) normalised pixels -> (1,1,768)."""
        def __init__(self, clip):
            super().__init__()
            self.clip = clip

        def forward(self, pixel_values):
            return self.clip(pixel_values).image_embeds.unsqueeze(1)

    class VaeEncoderHead(nn.Module):
        """Posterior mean of the VAE, already multiplied by the SD latent scale 0.18215."""
        def __init__(self, vae):
            super().__init__()
            self.vae = vae

        def forward(self, image):
            return self.vae.encode(image).latent_dist.mean * 0.18215

    class ReferenceUnetHead(nn.Module):
        """Runs the reference UNet at timestep 0 and returns what the write-mode attention hooks
        captured (the normalised input of every spatial self-attention), one tensor per block."""
        def __init__(self, unet, writer, dtype):
            super().__init__()
            self.unet = unet
            self.writer = writer
            self.out_dtype = dtype

        def forward(self, image_latents, encoder_hidden_states):
            self.writer.clear()
            t0 = torch.zeros((image_latents.shape[0],), dtype=image_latents.dtype,
                             device=image_latents.device)
            self.unet(image_latents, t0, encoder_hidden_states=encoder_hidden_states, return_dict=False)
            states = self.writer.output(dtype=self.out_dtype)
            return tuple(states[name] for name, _, _ in REFERENCE_STATES)

    class MotionExtractorHead(nn.Module):
        """LivePortrait detector raw heads; the head-pose/keypoint math is done by the engine."""
        def __init__(self, extractor):
            super().__init__()
            self.detector = extractor.detector

        def forward(self, image):
            o = self.detector(image)
            return o["pitch"], o["yaw"], o["roll"], o["t"], o["scale"], o["kp"]

    class PassThroughHead(nn.Module):
        """Motion encoder and pose guider already take and return the tensors we want."""
        def __init__(self, module):
            super().__init__()
            self.module = module

        def forward(self, x):
            return self.module(x)

    return ImageEncoderHead, VaeEncoderHead, ReferenceUnetHead, MotionExtractorHead, PassThroughHead


# ----------------------------------------------------------------------------------------------
# Loading, the same way src/wrapper_trt.py PersonaLive.__init__ loads each network.
# ----------------------------------------------------------------------------------------------
def load_state(torch, path):
    return torch.load(path, map_location="cpu")


def plain_attention(module, processor_class):
    """Puts the plain attention processor on every diffusers Attention layer. The official
    UNet2DConditionModel.set_attn_processor passes `_remove_lora`, which the pinned diffusers 0.27
    Attention.set_processor no longer accepts (TypeError), so we set it layer by layer instead."""
    from diffusers.models.attention_processor import Attention
    for m in module.modules():
        if isinstance(m, Attention):
            m.set_processor(processor_class())


def make_networks(torch, cfg, dtype, device):
    """Returns {key: (head module, example inputs, input names, output names, dynamic axes)}."""
    nn = torch.nn
    from diffusers import AutoencoderKL
    from diffusers.models.attention_processor import AttnProcessor
    from transformers import CLIPVisionModelWithProjection
    from src.liveportrait.motion_extractor import MotionExtractor
    from src.models.motion_encoder.encoder import MotEncoder
    from src.models.mutual_self_attention import ReferenceAttentionControl
    from src.models.pose_guider import PoseGuider
    from src.models.unet_2d_condition import UNet2DConditionModel

    ImageEnc, VaeEnc, RefUnet, MotionExt, Pass = build_heads(torch, nn)

    def rand(*shape):
        return torch.rand(*shape, dtype=dtype, device=device)

    def image_encoder():
        clip = CLIPVisionModelWithProjection.from_pretrained(cfg.image_encoder_path)
        clip = clip.to(device=device, dtype=dtype).eval()
        side = getattr(getattr(clip, "config", None), "image_size", 224)  # 224 for CLIP ViT-L/14
        return (ImageEnc(clip), (rand(1, 3, side, side) * 4 - 2,), ["pixel_values"],
                ["encoder_hidden_states"], None)

    def vae_encoder():
        vae = AutoencoderKL.from_pretrained(cfg.vae_model_path).to(device=device, dtype=dtype).eval()
        vae.set_default_attn_processor()
        return (VaeEnc(vae), (rand(1, 3, BASE, BASE) * 2 - 1,), ["image"], ["image_latents"], None)

    def reference_unet():
        unet = UNet2DConditionModel.from_pretrained(cfg.pretrained_base_model_path, subfolder="unet")
        unet.load_state_dict(load_state(torch, cfg.reference_unet_weight_path))
        unet = unet.to(device=device, dtype=dtype).eval()
        plain_attention(unet, AttnProcessor)
        writer = ReferenceAttentionControl(unet, do_classifier_free_guidance=False, mode="write",
                                           batch_size=1, fusion_blocks="full")
        example = (torch.randn(1, 4, LAT, LAT, dtype=dtype, device=device),
                   torch.randn(1, 1, CLIP_DIM, dtype=dtype, device=device))
        return (RefUnet(unet, writer, dtype), example, ["image_latents", "encoder_hidden_states"],
                [n for n, _, _ in REFERENCE_STATES], None)

    def motion_extractor():
        ext = MotionExtractor(num_kp=21)
        ext.load_state_dict(load_state(torch, cfg.pose_encoder_path), strict=False)
        ext = ext.to(device=device, dtype=dtype).eval()
        outs = ["pitch", "yaw", "roll", "t", "scale", "kp"]
        axes = {"image": {0: "batch"}}
        axes.update({o: {0: "batch"} for o in outs})
        return MotionExt(ext), (rand(4, 3, 256, 256),), ["image"], outs, axes

    def motion_encoder():
        enc = MotEncoder()
        enc.load_state_dict(load_state(torch, cfg.motion_encoder_path))
        enc = enc.to(device=device, dtype=dtype).eval()
        enc.set_attn_processor(AttnProcessor())
        axes = {"motion": {2: "frames"}, "motion_hidden_states": {1: "frames"}}
        return (Pass(enc), (rand(1, 3, 2, 224, 224) * 2 - 1,), ["motion"],
                ["motion_hidden_states"], axes)

    def pose_guider():
        guider = PoseGuider()
        guider.load_state_dict(load_state(torch, cfg.pose_guider_path))
        guider = guider.to(device=device, dtype=dtype).eval()
        axes = {"pose": {2: "frames"}, "pose_cond_fea": {2: "frames"}}
        return Pass(guider), (rand(1, 3, 4, BASE, BASE),), ["pose"], ["pose_cond_fea"], axes

    return {
        "image_encoder": image_encoder, "vae_encoder": vae_encoder, "reference_unet": reference_unet,
        "motion_extractor": motion_extractor, "motion_encoder": motion_encoder,
        "pose_guider": pose_guider,
    }


# ----------------------------------------------------------------------------------------------
# ONNX writing and description.
# ----------------------------------------------------------------------------------------------
TWO_GB_MARGIN = 2_000_000_000


def export_one(torch, onnx, head, example, in_names, out_names, axes, opset, target):
    """Exports into a scratch folder, then re-saves to `target`, putting the weights into one
    `<name>.onnx.data` file when the protobuf would exceed 2 GB (returns that file's name or None)."""
    with tempfile.TemporaryDirectory() as scratch:
        raw = os.path.join(scratch, "raw.onnx")
        with torch.no_grad():
            torch.onnx.export(head, example, raw, export_params=True, opset_version=opset,
                              do_constant_folding=True, input_names=in_names,
                              output_names=out_names, dynamic_axes=axes)
        model = onnx.load(raw)  # also pulls in any external tensors torch wrote next to it
        with torch.no_grad():
            ref = head(*example)
        ref = ref if isinstance(ref, tuple) else (ref,)
        pin_static_dims(model, dict(zip(in_names + out_names, [tuple(x.shape) for x in (*example, *ref)])), axes)
        data_name = None
        weight_bytes = sum(len(i.raw_data) for i in model.graph.initializer)
        if weight_bytes > TWO_GB_MARGIN:
            data_name = os.path.basename(target) + ".data"
            onnx.save(model, target, save_as_external_data=True, all_tensors_to_one_file=True,
                      location=data_name, size_threshold=1024)
        else:
            onnx.save(model, target)
    onnx.checker.check_model(target)
    return data_name


def pin_static_dims(model, shapes, axes):
    """PyTorch 1.13's exporter leaves some graph-output sizes symbolic (e.g. 'Mulimage_latents_dim_1')
    where its shape inference cannot follow an op, although only the declared dynamic axes can vary. The
    engine needs every other size fixed (ModelGeometry reads them from the manifest), so each symbolic
    size that is not a declared dynamic axis is set to the size the traced module produced."""
    dynamic = axes or {}
    for v in list(model.graph.input) + list(model.graph.output):
        if v.name not in shapes:
            continue
        dims = v.type.tensor_type.shape.dim
        for i, (d, size) in enumerate(zip(dims, shapes[v.name])):
            if not d.HasField("dim_value") and i not in dynamic.get(v.name, {}):
                d.dim_value = int(size)


ELEMENT_TYPES = {1: "float32", 10: "float16", 7: "int64", 6: "int32", 11: "float64", 9: "bool"}


def describe_values(values):
    out = []
    for v in values:
        t = v.type.tensor_type
        dims = []
        for d in t.shape.dim:
            if d.HasField("dim_value"):
                dims.append(int(d.dim_value))
            else:
                dims.append(d.dim_param or "?")
        out.append({"name": v.name, "elementType": ELEMENT_TYPES.get(t.elem_type, str(t.elem_type)),
                    "shape": dims})
    return out


def describe_file(onnx, path):
    model = onnx.load(path, load_external_data=False)
    initialisers = {i.name for i in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in initialisers]
    return describe_values(inputs), describe_values(model.graph.output)


def expected_fused_step(dtype_name):
    """What torch2trt.py's unet_work export is expected to declare (names from
    framed_models.unet_work.get_input_names/get_output_names, dynamic axes from get_dynamic_axes)."""
    def t(name, shape):
        return {"name": name, "elementType": dtype_name, "shape": shape}
    inputs = [
        t("sample", [1, 4, 16, "h_64", "w_64"]), t("encoder_hidden_states", [1, 1, CLIP_DIM]),
        t("motion_hidden_states", [1, 12, 32, 16]), t("motion", [1, 3, 4, 224, 224]),
        t("pose_cond_fea", [1, 320, 12, "h_64", "w_64"]), t("pose", [1, 3, 4, "h_512", "h_512"]),
        t("new_noise", [1, 4, 4, "h_64", "w_64"]),
    ] + [t(n, [1, "len_%d" % (LAT * LAT // div), c]) for n, div, c in REFERENCE_STATES]
    outputs = [
        t("pred_video", [4, "out_h", "out_w", 3]), t("latents", [1, 4, 16, "out_h_64", "out_w_64"]),
        t("pose_cond_fea_out", [1, 320, 12, "out_h_64", "out_w_64"]),
        t("motion_hidden_states_out", [1, 12, 32, 16]), t("motion_out", [1, 1, 32, 16]),
        t("latent_first", [1, 4, "out_h_64", "out_w_64"]),
    ]
    return inputs, outputs


def check_names(key, desc_in, desc_out, want_in, want_out):
    got_in = [d["name"] for d in desc_in]
    got_out = [d["name"] for d in desc_out]
    if got_in != want_in or got_out != want_out:
        raise SystemExit(f"{key}: ONNX names differ from what the engine expects.\n"
                         f"  inputs  {got_in} (want {want_in})\n  outputs {got_out} (want {want_out})")


def fused_step_entry(onnx, args, out_dir, cfg):
    src = os.path.abspath(args.fused_step or cfg.onnx_opt_path)
    src_data = src + ".data"
    entry = {"dtype": "fp16", "producedBy": "official torch2trt.py (unet_work, opset 17, fp16)"}
    if args.copy_fused and os.path.exists(src):
        dst_dir = os.path.join(out_dir, "unet_opt")
        os.makedirs(dst_dir, exist_ok=True)
        for f in (src, src_data):
            if os.path.exists(f):
                shutil.copy2(f, dst_dir)
        src = os.path.join(dst_dir, os.path.basename(src))
        src_data = src + ".data"
    entry["file"] = os.path.relpath(src, out_dir).replace(os.sep, "/")
    entry["externalData"] = os.path.basename(src_data) if os.path.exists(src_data) else None
    if os.path.exists(src):
        ins, outs = describe_file(onnx, src)
        check_names("fused_step", ins, outs, FUSED_INPUTS, FUSED_OUTPUTS)
    else:
        print(f"warning: {src} not found (run the official torch2trt.py); writing the expected spec",
              file=sys.stderr)
        ins, outs = expected_fused_step("float16")
    entry["inputs"], entry["outputs"] = ins, outs
    if all(d["elementType"] == "float32" for d in ins + outs):   # a CPU fp32 export (tools/parity)
        entry["dtype"] = "fp32"
        entry["producedBy"] = "official unet_work + export_onnx (torch2trt.py path), opset 17, fp32 on CPU"
    return entry


def verify(torch, onnx_path, head, example, out_names):
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        print("  verify: onnxruntime not installed, skipped")
        return
    providers = [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider")
                 if p in ort.get_available_providers()]
    try:
        sess = ort.InferenceSession(onnx_path, providers=providers)
        feeds = {i.name: x.detach().cpu().numpy() for i, x in zip(sess.get_inputs(), example)}
        got = sess.run(out_names, feeds)
    except Exception as e:  # fp16 graphs may lack CPU kernels
        print(f"  verify: ONNX Runtime could not run it ({e})")
        return
    with torch.no_grad():
        ref = head(*example)
    ref = ref if isinstance(ref, tuple) else (ref,)
    for name, a, b in zip(out_names, got, ref):
        diff = float(np.max(np.abs(a.astype(np.float32) - b.float().cpu().numpy())))
        print(f"  verify: {name} max |onnx - torch| = {diff:.4g}")


def dump(torch, folder, head, example, in_names, out_names):
    """Writes the example inputs and the PyTorch outputs as float32 .npy files (in_<name>, out_<name>),
    so a runtime without Python ONNX Runtime (our C# engine) can check the exported file against them."""
    import numpy as np
    os.makedirs(folder, exist_ok=True)
    if any(m.training for m in head.modules()):
        raise SystemExit("dump: a module is in training mode; the reference would use batch statistics/dropout")
    with torch.no_grad():
        ref = head(*example)
    ref = ref if isinstance(ref, tuple) else (ref,)
    for name, x in zip(in_names, example):
        np.save(os.path.join(folder, f"in_{name}.npy"), x.detach().float().cpu().numpy())
    for name, y in zip(out_names, ref):
        np.save(os.path.join(folder, f"out_{name}.npy"), y.detach().float().cpu().numpy())


def git_commit(repo):
    try:
        return subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except Exception:
        return None


def main(argv=None):
    args = parse_args(argv)
    repo = os.path.abspath(args.repo)
    os.chdir(repo)                      # the official config uses paths relative to the checkout
    sys.path.insert(0, repo)
    import onnx
    import torch
    from omegaconf import OmegaConf

    global BASE, LAT
    if args.base % 64 or args.base < 64:
        raise SystemExit("--base must be a multiple of 64")
    BASE, LAT = args.base, args.base // 8
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU: pass --device cpu --dtype fp32 to export on the CPU")
    if args.device == "cpu" and args.dtype != "fp32":
        raise SystemExit("CPU export needs --dtype fp32 (PyTorch lacks CPU fp16 kernels)")
    cfg = OmegaConf.load(args.config)
    dtype = torch.float16 if args.dtype == "fp16" else torch.float32
    elem = "float16" if args.dtype == "fp16" else "float32"
    device = torch.device(args.device)
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, "manifest.json")
    old = {}
    if os.path.exists(manifest_path):
        with open(manifest_path, encoding="utf-8") as f:
            old = json.load(f).get("networks", {})

    factories = make_networks(torch, cfg, dtype, device)
    wanted = [k for k in args.only.split(",") if k] or list(factories)
    unknown = [k for k in wanted if k not in factories and k != "fused_step"]
    if unknown:
        raise SystemExit(f"unknown network(s) {unknown}; choose from {list(factories)}")

    networks = {}
    for key in factories:
        if key not in wanted:
            if key in old:
                networks[key] = old[key]
            continue
        print(f"exporting {key} ({args.dtype}) ...")
        torch.manual_seed(0)            # reproducible example inputs (they are what --dump writes)
        head, example, in_names, out_names, axes = factories[key]()
        # The head wrappers are fresh nn.Modules (training mode). torch.onnx.export traces in eval mode but
        # then restores the top module's mode recursively, which would switch the wrapped network back to
        # training mode (BatchNorm on batch statistics, Dropout active) for --verify and --dump.
        head.eval()
        target = os.path.join(out_dir, f"{key}.onnx")
        data = export_one(torch, onnx, head, example, in_names, out_names, axes, args.opset, target)
        ins, outs = describe_file(onnx, target)
        check_names(key, ins, outs, in_names, out_names)
        bad = [d["name"] for d in ins + outs if d["elementType"] != elem]
        if bad:
            raise SystemExit(f"{key}: tensors {bad} are not {elem}")
        if args.verify:
            verify(torch, target, head, example, out_names)
        if args.dump:
            dump(torch, os.path.join(args.dump, key), head, example, in_names, out_names)
        networks[key] = {"file": f"{key}.onnx", "externalData": data, "dtype": args.dtype,
                         "inputs": ins, "outputs": outs}
        del head, example
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    networks["fused_step"] = fused_step_entry(onnx, args, out_dir, cfg)
    manifest = {
        "format": MANIFEST_FORMAT, "formatVersion": MANIFEST_VERSION, "baseResolution": BASE,
        "source": {"repository": "GVCLab/PersonaLive", "commit": git_commit(repo),
                   "checkedAgainstCommit": OFFICIAL_COMMIT_READ, "config": args.config},
        "networks": networks,
    }
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {manifest_path}")


if __name__ == "__main__":
    main()
