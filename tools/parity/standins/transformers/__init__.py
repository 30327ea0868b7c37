"""Stand-in for `transformers` (its source snapshot is larger than this workplace can fetch, and no
Debian package exists), providing the two names the official online pipeline imports.

This is NOT CLIP. `CLIPVisionModelWithProjection` here is a small seeded network with CLIP's interface
(224x224 normalised pixels in, `image_embeds` (batch, 768) out), and `CLIPImageProcessor` resizes to
224x224 and normalises with CLIP's published mean/std. Both pipelines (official and ours) receive the
stand-in's output: the harness exports this same module as our `image_encoder.onnx`, so everything
downstream of the image embedding is compared like for like, while CLIP itself and the official
224 preprocessing (shortest-side resize + centre crop) are not compared. docs/personalive/parity.md
says so in its table.
"""
import json
import os

import numpy as np
import torch
from torch import nn

__version__ = "4.36.2-parity-standin"

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


class _Output:
    def __init__(self, image_embeds):
        self.image_embeds = image_embeds


class CLIPVisionModelWithProjection(nn.Module):
    """Patch-embedding conv (14x14, stride 14, as CLIP ViT-L/14) -> GELU -> mean over patches -> linear."""

    def __init__(self, hidden=64, projection_dim=768, image_size=224):
        super().__init__()
        self.config = type("StandinConfig", (), {"image_size": image_size})()
        self.patch = nn.Conv2d(3, hidden, kernel_size=14, stride=14)
        self.proj = nn.Linear(hidden, projection_dim)

    @property
    def dtype(self):
        return self.proj.weight.dtype

    @property
    def device(self):
        return self.proj.weight.device

    @classmethod
    def from_pretrained(cls, path, **_kwargs):
        with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        model = cls(cfg["standin_hidden"], cfg["projection_dim"], cfg.get("image_size", 224))
        CLIPImageProcessor.size = cfg.get("image_size", 224)
        model.load_state_dict(torch.load(os.path.join(path, "pytorch_model.bin"), map_location="cpu"))
        return model.eval()

    def forward(self, pixel_values):
        x = torch.nn.functional.gelu(self.patch(pixel_values))
        return _Output(self.proj(x.mean(dim=(2, 3))))


class _Batch:
    def __init__(self, pixel_values):
        self.pixel_values = pixel_values


class CLIPImageProcessor:
    """224x224 bicubic resize of the whole image (no centre crop), [0,1], CLIP mean/std. The chunk run
    writes `image_size` = the base resolution into the stand-in's config.json, so that a portrait given at
    that size is not resampled at all (PIL returns a same-size resize unchanged) and both sides see the
    same pixels."""
    size = 224

    def preprocess(self, image, return_tensors="pt"):
        img = image.convert("RGB").resize((self.size, self.size), resample=3)  # PIL bicubic
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
        mean = torch.tensor(CLIP_MEAN).view(3, 1, 1)
        std = torch.tensor(CLIP_STD).view(3, 1, 1)
        return _Batch(((x - mean) / std).unsqueeze(0))

    __call__ = preprocess
