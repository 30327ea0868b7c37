#!/usr/bin/env python3
"""Writes the `pretrained_weights/` tree the official PersonaLive code loads, filled with seeded RANDOM
weights, so the official loading code (from_pretrained, from_pretrained_2d, load_state_dict) runs as is.

Configurations are the published ones of the checkpoints the official README names
(lambdalabs/sd-image-variations-diffusers unet, stabilityai/sd-vae-ft-mse), written out in configs.py.
Every parameter and float buffer of every network is re-drawn from a generator seeded by
(seed, network, parameter name): weights ~ N(0, 1/fan_in), biases ~ 0.02 N(0,1), norm scales
1 + 0.1 N(0,1). Zero-initialised layers (the official code zero-inits some output projections) are
re-drawn too, otherwise whole branches would be silent and their parity trivially true.

Usage: python3 tools/parity/make_weights.py [--seed 1234] [--only small|all]
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_env  # noqa: E402
import configs  # noqa: E402


def seeded_reinit(torch, module, seed, tag):
    """Redraws every floating tensor of module.state_dict() in place, deterministically by name."""
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if not t.is_floating_point() or name.endswith("idx_tensor") or name.endswith(".pe") or name == "pe":
                continue
            h = hashlib.sha256(f"{seed}/{tag}/{name}".encode()).digest()
            g = torch.Generator().manual_seed(int.from_bytes(h[:8], "little") & 0x7FFF_FFFF_FFFF_FFFF)
            r = torch.randn(t.shape, generator=g, dtype=torch.float32)
            leaf = name.rsplit(".", 1)[-1]
            if "running_var" in name:
                t.copy_(1 + 0.1 * r.abs())
            elif "running_mean" in name:
                t.copy_(0.1 * r)
            elif t.dim() >= 2:
                fan_in = t[0].numel()
                t.copy_(r / fan_in ** 0.5)
            elif leaf in ("weight", "gamma", "scale") or "norm" in name.lower():
                # 1-D weights are norm scales (LayerNorm/GroupNorm/BatchNorm)
                t.copy_(1 + 0.1 * r) if leaf != "bias" else t.copy_(0.02 * r)
            else:
                t.copy_(0.02 * r)
    return module


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--only", choices=["small", "helpers", "all", "denoising"], default="all",
                    help="small = pose guider, motion encoder, motion extractor, image-encoder stand-in; "
                         "helpers = small + VAE + base/reference UNet; all = helpers + 3-D denoising UNet; "
                         "denoising = only the 3-D denoising UNet (needs the base UNet written)")
    ap.add_argument("--tiny", action="store_true",
                    help="reduced UNet/VAE configurations (configs.UNET_TINY, VAE_TINY) for the fused-step "
                         "and chunk runs; the small networks are unchanged")
    ap.add_argument("--size", type=int, default=256,
                    help="with --tiny: the base resolution of the fused-step and chunk runs (the CLIP "
                         "stand-in's input size, so its resize is an identity); 256 or 128")
    args = ap.parse_args()
    unet_cfg, vae_cfg = (configs.UNET_TINY, configs.VAE_TINY) if args.tiny else (configs.UNET, configs.VAE)
    root = official_env.activate()
    os.chdir(root)
    import torch
    from src.liveportrait.motion_extractor import MotionExtractor
    from src.models.motion_encoder.encoder import MotEncoder
    from src.models.pose_guider import PoseGuider
    from transformers import CLIPVisionModelWithProjection

    pw = os.path.join(root, "pretrained_weights")
    if args.only == "denoising":
        return denoising_unet(torch, pw, args.seed)
    for d in ("personalive", "sd-vae-ft-mse", "sd-image-variations-diffusers/unet",
              "sd-image-variations-diffusers/image_encoder"):
        os.makedirs(os.path.join(pw, d), exist_ok=True)

    def save(module, tag, path):
        torch.save(seeded_reinit(torch, module, args.seed, tag).state_dict(), os.path.join(pw, path))
        print("wrote", path, sum(p.numel() for p in module.parameters()), "parameters", flush=True)

    save(PoseGuider(), "pose_guider", "personalive/pose_guider.pth")
    save(MotEncoder(), "motion_encoder", "personalive/motion_encoder.pth")
    extractor = seeded_reinit(torch, MotionExtractor(num_kp=21), args.seed, "motion_extractor")
    if args.tiny:
        plausible_heads(torch, extractor, args.seed)
    torch.save(extractor.state_dict(), os.path.join(pw, "personalive/motion_extractor.pth"))
    print("wrote personalive/motion_extractor.pth", "(plausible heads)" if args.tiny else "", flush=True)
    del extractor
    clip_dir = os.path.join(pw, "sd-image-variations-diffusers/image_encoder")
    with open(os.path.join(clip_dir, "config.json"), "w") as f:
        # --tiny: the chunk run gives the portrait at the base resolution (--size); a stand-in of that input
        # size makes the CLIP resize an identity on both sides (standins/transformers).
        json.dump(dict(configs.CLIP_STANDIN, image_size=args.size) if args.tiny else configs.CLIP_STANDIN, f, indent=2)
    save(CLIPVisionModelWithProjection(configs.CLIP_STANDIN["standin_hidden"], 768), "image_encoder",
         "sd-image-variations-diffusers/image_encoder/pytorch_model.bin")
    if args.only == "small":
        return

    from diffusers import AutoencoderKL
    from src.models.unet_2d_condition import UNet2DConditionModel
    vae_dir = os.path.join(pw, "sd-vae-ft-mse")
    with open(os.path.join(vae_dir, "config.json"), "w") as f:
        json.dump(vae_cfg, f, indent=2)
    save(AutoencoderKL.from_config(vae_cfg), "vae", "sd-vae-ft-mse/diffusion_pytorch_model.bin")

    unet_dir = os.path.join(pw, "sd-image-variations-diffusers/unet")
    with open(os.path.join(unet_dir, "config.json"), "w") as f:
        json.dump(unet_cfg, f, indent=2)
    unet = UNet2DConditionModel.from_config(unet_cfg)
    save(unet, "base_unet", "sd-image-variations-diffusers/unet/diffusion_pytorch_model.bin")
    save(unet, "reference_unet", "personalive/reference_unet.pth")
    del unet
    if args.only == "all":
        denoising_unet(torch, pw, args.seed)


def plausible_heads(torch, extractor, seed):
    """For the chunk run: rescales the detector's output heads so its random outputs look like a face
    (canonical keypoints within +-0.35, scale about 1.4, small translation, head-pose logits peaked near
    0 degrees) while still varying with the image. With plain random heads every keypoint lands off the
    canvas, every keypoint map is empty and every face box degenerates, which would leave the maps, boxes,
    crops and the keyframe bank untested. The ConvNeXt body keeps its random weights."""
    g = torch.Generator().manual_seed(seed + 7)
    bins = torch.arange(66, dtype=torch.float32)
    with torch.no_grad():
        for name, m in extractor.named_modules():
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "fc_kp":
                m.weight.mul_(0.03)
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) * 0.7 - 0.35)
            elif leaf == "fc_scale":
                m.weight.mul_(0.02)
                m.bias.fill_(1.4)
            elif leaf == "fc_t":
                m.weight.mul_(0.02)
                m.bias.zero_()
            elif leaf in ("fc_pitch", "fc_yaw", "fc_roll"):
                m.bias.copy_(-0.5 * ((bins - 32.5) / 2.5) ** 2)


def denoising_unet(torch, pw, seed):
    """The 3-D denoising UNet as torch2trt.py builds it (from_pretrained_2d on the base UNet folder with the
    stage-3 unet_additional_kwargs), every tensor redrawn; saved whole as denoising_unet.pth and its
    temporal/motion-module part as temporal_module.pth (both are loaded with strict=False officially)."""
    from omegaconf import OmegaConf
    from src.models.unet_3d_explicit_reference import UNet3DConditionModel
    cfg = OmegaConf.load("./configs/prompts/personalive_online.yaml")
    infer = OmegaConf.load(cfg.inference_config)
    unet = UNet3DConditionModel.from_pretrained_2d(cfg.pretrained_base_model_path, "", subfolder="unet",
                                                   unet_additional_kwargs=infer.unet_additional_kwargs)
    state = seeded_reinit(torch, unet, seed, "denoising_unet").state_dict()
    print("denoising unet", sum(p.numel() for p in unet.parameters()), "parameters", flush=True)
    del unet
    torch.save(state, os.path.join(pw, "personalive/denoising_unet.pth"))
    temporal = {k: v for k, v in state.items() if "temporal" in k or "motion_module" in k}
    torch.save(temporal, os.path.join(pw, "personalive/temporal_module.pth"))
    print("wrote personalive/denoising_unet.pth and temporal_module.pth (%d temporal tensors)" % len(temporal))


if __name__ == "__main__":
    main()
