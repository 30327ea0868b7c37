#!/usr/bin/env bash
# Exports the official networks (seeded random weights, fp32, CPU, 256x256) with our export script and
# the official fused-step export, then runs our C# comparison through the engine's model-set loader.
# Prerequisites: tools/parity/fetch_deps.sh and tools/parity/make_weights.py (--tiny for the fused step
# and the chunk run) have run.
# Results: $PARITY_WORK/results/networks.json and chunks.json; tables in docs/personalive/parity.md.
# CHUNKS=n (default 12) official chunks to run; CHUNKS=0 skips the chunk run.
# FUSED_FLAGS: extra export_fused.py options (--no-shape-inference, --log FILE; README patch 6).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DEPS=${PARITY_DEPS:-/work/parity-deps}
WORK=${PARITY_WORK:-/work/parity-work}
PY=/usr/bin/python3
BASE=${PARITY_BASE:-256}   # base resolution of the fused step, the helper exports and the chunk run
export PARITY_BASE=$BASE
# Debian's python3-torch calls the system libblas.so.3; where that alternative is the reference (netlib)
# BLAS, sgemm runs ~15x slower than OpenBLAS. PARITY_BLAS names a folder holding an OpenBLAS
# libblas.so.3 (e.g. libopenblas0-pthread's openblas-pthread folder, unpacked with dpkg -x) for the
# harness's processes only; the system alternative is left alone.
if [ -n "${PARITY_BLAS:-}" ]; then
  export LD_LIBRARY_PATH="$PARITY_BLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" OPENBLAS_NUM_THREADS=${PARITY_THREADS:-2}
fi
export PYTHONPATH="$HERE/standins:$DEPS/diffusers/src:$DEPS/huggingface_hub/src:$DEPS/einops"
mkdir -p "$WORK"
step() { echo "== $*"; }

if [ "${SKIP_FUSED:-0}" != 1 ] && [ ! -f "$DEPS/PersonaLive/pretrained_weights/onnx/unet_opt/unet_opt.onnx" ]; then
  step "fused step (official unet_work + export_onnx + optimize_onnx, fp32, 256)"
  PARITY_WORK="$WORK" "$PY" "$HERE/export_fused.py" --work "$WORK" ${FUSED_FLAGS:-}   # e.g. --no-shape-inference --log F
fi
step "six helper networks (tools/export/export_onnx.py, fp32, CPU, base 256) + manifest"
(cd "$DEPS/PersonaLive" && "$PY" "$REPO/tools/export/export_onnx.py" --repo . --device cpu --dtype fp32 \
    --base "$BASE" --fused-step "$DEPS/PersonaLive/pretrained_weights/onnx/unet_opt/unet_opt.onnx" \
    --out "$WORK/modelset" --dump "$WORK/dumps" ${EXPORT_ONLY:+--only "$EXPORT_ONLY"})
if [ "${CHUNKS:-12}" != 0 ]; then
  step "official online runner (src/wrapper.py), ${CHUNKS:-12} chunks, engine noise"
  "$PY" "$HERE/run_chunks.py" --work "$WORK" --chunks "${CHUNKS:-12}" --size "$BASE"
fi
step "our engine: load the set, run each network on the dumped inputs and the chunks, compare"
PERSONALIVE_PARITY_DIR="$WORK" dotnet test "$REPO/PersonaLive.Inference.Tests/PersonaLive.Inference.Tests.csproj" \
    -c Release --filter "FullyQualifiedName~OfficialNetworkParity|FullyQualifiedName~OfficialChunkParity" \
    --logger "console;verbosity=normal" || true
"$PY" "$HERE/table.py" "$WORK/results"
