#!/usr/bin/env bash
# Exports the official networks (seeded random weights, fp32, CPU, 256x256) with our export script and
# the official fused-step export, then runs our C# comparison through the engine's model-set loader.
# Prerequisites: tools/parity/fetch_deps.sh and tools/parity/make_weights.py have run.
# Results: $PARITY_WORK/results/networks.json; table in docs/personalive/parity.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DEPS=${PARITY_DEPS:-/work/parity-deps}
WORK=${PARITY_WORK:-/work/parity-work}
PY=/usr/bin/python3
export PYTHONPATH="$HERE/standins:$DEPS/diffusers/src:$DEPS/huggingface_hub/src:$DEPS/einops"
mkdir -p "$WORK"
step() { echo "== $*"; }

if [ "${SKIP_FUSED:-0}" != 1 ] && [ ! -f "$DEPS/PersonaLive/pretrained_weights/onnx/unet_opt/unet_opt.onnx" ]; then
  step "fused step (official unet_work + export_onnx + optimize_onnx, fp32, 256)"
  PARITY_WORK="$WORK" "$PY" "$HERE/export_fused.py" --work "$WORK"
fi
step "six helper networks (tools/export/export_onnx.py, fp32, CPU, base 256) + manifest"
(cd "$DEPS/PersonaLive" && "$PY" "$REPO/tools/export/export_onnx.py" --repo . --device cpu --dtype fp32 \
    --base 256 --fused-step "$DEPS/PersonaLive/pretrained_weights/onnx/unet_opt/unet_opt.onnx" \
    --out "$WORK/modelset" --dump "$WORK/dumps" ${EXPORT_ONLY:+--only "$EXPORT_ONLY"})
step "our engine: load the set, run each network on the dumped inputs, compare"
PERSONALIVE_PARITY_DIR="$WORK" dotnet test "$REPO/PersonaLive.Inference.Tests/PersonaLive.Inference.Tests.csproj" \
    -c Release --filter "FullyQualifiedName~OfficialNetworkParity" --logger "console;verbosity=normal"
cat "$WORK/results/networks.json"
