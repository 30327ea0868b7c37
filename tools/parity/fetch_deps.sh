#!/usr/bin/env bash
# Lays out the official PersonaLive checkout and the pure-Python dependency versions it pins
# (requirements_base.txt) under $PARITY_DEPS (default /work/parity-deps), from git snapshots that
# were brought to this machine beforehand (MIRROR, one bare git dir per owner+name/repo).
# Nothing fetched here is ever committed to our repository.
set -euo pipefail
DEPS=${PARITY_DEPS:-/work/parity-deps}
MIRROR=${PARITY_MIRROR:-/work/.mirror}
mkdir -p "$DEPS"
lay() { # <owner+name> <rev> <dest> <paths...>
  local git="$MIRROR/$1/repo" rev=$2 name=$3; shift 3
  local dest="$DEPS/$name" index
  [ -d "$git" ] || { echo "missing snapshot $git" >&2; exit 1; }
  rm -rf "$dest"; mkdir -p "$dest"
  # A private index lets us check out only the listed paths (snapshots may lack large media blobs).
  index=$(mktemp); rm -f "$index"
  GIT_INDEX_FILE=$index git --git-dir="$git" read-tree "$rev"
  GIT_INDEX_FILE=$index git --git-dir="$git" ls-files -- "$@" |
    GIT_INDEX_FILE=$index git --git-dir="$git" checkout-index --prefix="$dest/" --stdin
  rm -f "$index"
  echo "$name $(git --git-dir="$git" rev-parse "$rev^{commit}")" >> "$DEPS/VERSIONS.new"
}
rm -f "$DEPS/VERSIONS.new"
# The official repo: only code and configs (its large media files are not in the snapshot).
lay GVCLab+PersonaLive 32f401d2053857b9d822b14cd63e861a16767bf4 PersonaLive \
    src configs torch2trt.py inference_online.py requirements_base.txt LICENSE
lay huggingface+diffusers v0.27.0 diffusers src
lay huggingface+huggingface_hub v0.25.1 huggingface_hub src
lay arogozhnikov+einops v0.8.1 einops einops
mv "$DEPS/VERSIONS.new" "$DEPS/VERSIONS"
cat "$DEPS/VERSIONS"
