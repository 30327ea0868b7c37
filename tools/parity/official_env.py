"""Puts the fetched official checkout and its pure-Python dependencies on sys.path and applies the
run-time patches that let the official code run on Debian's CPU PyTorch 1.13 in fp32.

Nothing here edits the fetched files: every patch is a monkey-patch applied after import, and each one
is listed in tools/parity/README.md. The checkouts live outside the repository (PARITY_DEPS,
default /work/parity-deps, filled by tools/parity/fetch_deps.sh).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEPS = os.environ.get("PARITY_DEPS", "/work/parity-deps")
OFFICIAL = os.path.join(DEPS, "PersonaLive")

PATHS = [
    os.path.join(HERE, "standins"),               # safetensors, transformers stand-ins
    os.path.join(DEPS, "diffusers", "src"),
    os.path.join(DEPS, "huggingface_hub", "src"),
    os.path.join(DEPS, "einops"),
    OFFICIAL,
]


def activate():
    """Makes `import src...`, `import diffusers`, ... resolve to the pinned checkouts; returns the
    official checkout's folder (the official configs use paths relative to it)."""
    if not os.path.isdir(os.path.join(OFFICIAL, "src")):
        raise SystemExit(f"official checkout missing at {OFFICIAL}: run tools/parity/fetch_deps.sh")
    for p in reversed(PATHS):
        if p not in sys.path:
            sys.path.insert(0, p)
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    torch.set_num_threads(int(os.environ.get("PARITY_THREADS", "2")))
    return OFFICIAL
