"""Published configurations of the third-party checkpoints the official PersonaLive README names,
written out so the official from_pretrained code can build the architectures without the weights.

UNET: lambdalabs/sd-image-variations-diffusers, unet/config.json (Stable Diffusion 1.5 UNet with a
768-wide image-embedding cross-attention). VAE: stabilityai/sd-vae-ft-mse, config.json.
CLIP_STANDIN: the stand-in image encoder's size (see standins/transformers).
"""
UNET = {
    "_class_name": "UNet2DConditionModel",
    "act_fn": "silu",
    "attention_head_dim": 8,
    "block_out_channels": [320, 640, 1280, 1280],
    "center_input_sample": False,
    "cross_attention_dim": 768,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                         "DownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "sample_size": 64,
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
}

VAE = {
    "_class_name": "AutoencoderKL",
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "sample_size": 256,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
}

CLIP_STANDIN = {"projection_dim": 768, "standin_hidden": 64,
                "note": "parity stand-in, not CLIP; see tools/parity/standins/transformers"}

# Reduced configurations for the fused-step and chunk-by-chunk runs (`make_weights.py --tiny`): the same
# official classes with narrower blocks, so a 16-frame forward of the 3-D UNet takes a minute rather than
# most of an hour on two shared cores. Every UNet width is 320 (the first must be: the official
# PoseGuider() adds its 320-channel features right after conv_in) and layers_per_block stays 2 (the 16
# reference-state names d00..u32 need two attentions per down block and three per up block); the head
# count (8) and every other key are the published ones. The VAE keeps four blocks (the 8x latent scale)
# at narrower widths and one layer per block.
UNET_TINY = dict(UNET, block_out_channels=[320, 320, 320, 320])
VAE_TINY = dict(VAE, block_out_channels=[32, 64, 64, 64], layers_per_block=1)
