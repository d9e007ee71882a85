#!/usr/bin/env bash
# Check a CUDA build of Palisade on a GPU host (docs/gpu.md): numerics
# against the golden fixtures, then decode speed, GPU against CPU.
#
#   scripts/cuda/device-check.sh [BINARY]
#
# BINARY is a `--features cuda` build (scripts/cuda/build.sh); default
# .gpu/palisade if present, else target/cuda/palisade. Run from a checkout
# (it reads tests/fixtures/models). It runs, in order:
#   1. `model verify` of every fixture on cuda f32 and on cpu f32 (the
#      golden tolerance, 1e-3, is for f32; both must pass);
#   2. the same on cuda bf16, informational only (bf16 misses the f32
#      tolerance on CPU too);
#   3. `model synth` of bench-1b in bf16 (about 2 GB, reused when present);
#   4. `generate` timings (prefill ms, decode tokens/s) on cuda bf16/f32 and
#      cpu bf16/f32.
# Exits 1 when the binary cannot load its libraries or a cuda/cpu f32 verify
# fails; the timings are printed, not judged. Takes about 2 minutes on an H200
# (the first CUDA process is slower: the driver compiles the PTX kernels).
#
# Environment (all optional):
#   PALISADE_CUDA_LIBS    extra library directories, colon-separated, put
#                         first on LD_LIBRARY_PATH
#   PALISADE_CUDA_DIR     the toolkit of scripts/cuda/build.sh (default
#                         $HOME/.cache/palisade-cuda); its nvidia/cu13/lib is
#                         used when present
#   PALISADE_BENCH_DIR    where bench-1b is written (default /tmp/palisade-bench,
#                         as scripts/bench-engine.sh)
#   PALISADE_CPU_THREADS  CPU threads for the CPU timings (default: nproc)
set -uo pipefail

caller=$PWD
cd "$(dirname "$0")/../.." || exit 1
B=${1:-}
if [ -z "$B" ]; then
  if [ -f .gpu/palisade ]; then B=.gpu/palisade; else B=target/cuda/palisade; fi
else
  case $B in /*) ;; *) B=$caller/$B ;; esac
fi
[ -f "$B" ] || { echo "device-check: no binary at $B" >&2; exit 1; }
chmod +x "$B" 2>/dev/null || true
bench_dir=${PALISADE_BENCH_DIR:-/tmp/palisade-bench}
threads=${PALISADE_CPU_THREADS:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# Runtime libraries: libcuda.so.1 from the driver (normally already on the
# loader's path; /usr/local/nvidia/lib64 in NVIDIA's containers),
# libcublas.so.13 (+ libcublasLt.so.13) and libcurand.so.10 from a CUDA 13
# install: pip's nvidia-* wheels (a PyTorch venv's site-packages/nvidia/*/lib,
# or the toolkit scripts/cuda/build.sh installed) or /usr/local/cuda. Never
# add the build's link/ directory: its libcuda.so.1 is a link-time stub.
dirs=()
[ -n "${PALISADE_CUDA_LIBS:-}" ] && IFS=: read -r -a dirs <<< "$PALISADE_CUDA_LIBS"
shopt -s nullglob
for d in /opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib \
  "${PALISADE_CUDA_DIR:-$HOME/.cache/palisade-cuda}/nvidia/cu13/lib" \
  /usr/local/cuda/lib64 /usr/local/nvidia/lib64; do
  [ -d "$d" ] && dirs+=("$d")
done
shopt -u nullglob
ld_path=$(IFS=:; echo "${dirs[*]}")
export LD_LIBRARY_PATH=$ld_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "== env"
date -u
nvidia-smi -L
nvidia-smi --query-gpu=driver_version,compute_cap,memory.used --format=csv
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
echo "== ldd $B"
ldd "$B" | grep -E 'cuda|cublas|curand|nvrtc|not found'
if ldd "$B" | grep -q 'not found'; then
  echo "device-check: libraries not found; set PALISADE_CUDA_LIBS" >&2
  exit 1
fi
"$B" --version 2>&1 | head -2

verify() { # DEVICE DTYPE JUDGED(0/1)
  local d n rc t0 t1
  echo "== verify ($1 $2$([ "$3" = 1 ] || echo ', informational: the tolerance is for f32'))"
  for d in tests/fixtures/models/*/; do
    n=$(basename "$d")
    t0=$(date +%s%N)
    timeout 120 "$B" model verify --model "$d" --reference "$d/golden.json" \
      --device "$1" --dtype "$2" > "$work/verify.txt" 2>&1
    rc=$?
    t1=$(date +%s%N)
    echo "--- $n $1 $2: rc=$rc $(( (t1 - t0) / 1000000 )) ms"
    if [ "$rc" -ne 0 ] && [ "$3" = 1 ]; then
      failed=1
      grep -v '^ok  ' "$work/verify.txt" | tail -15
    else
      tail -1 "$work/verify.txt"
    fi
  done
}
verify cuda f32 1
verify cpu f32 1
verify cuda bf16 0

echo "== synth bench-1b (bf16) in $bench_dir"
model=$bench_dir/bench-1b
if [ -f "$model/config.json" ]; then
  echo "reusing $model"
else
  mkdir -p "$bench_dir"
  timeout 300 "$B" model synth --arch llama4 --preset bench-1b --dtype bf16 --out "$model" 2>&1 | tail -3
fi

# One generate run; the binary reports prefill and decode rate on stderr.
prompt="Write a long story about a lighthouse keeper and the sea."
gen() { # DEVICE DTYPE TOKENS
  local t0 t1 rc out
  t0=$(date +%s%N)
  out=$(timeout 180 "$B" generate --model "$model" --prompt "$prompt" --max-tokens "$3" \
    --device "$1" --dtype "$2" 2>&1 >/dev/null)
  rc=$?
  t1=$(date +%s%N)
  printf -- '--- %s %s %s tokens: rc=%d wall %d ms %s\n' "$1" "$2" "$3" "$rc" \
    $(( (t1 - t0) / 1000000 )) "$(printf '%s\n' "$out" | tail -1)"
}
echo "== decode (generate, greedy; the binary reports prompt tokens, prefill and decode rate)"
gen cuda bf16 128
gen cuda bf16 128
gen cuda bf16 512
gen cuda f32 128
gen cuda f32 128
echo "(cpu: $threads threads)"
RAYON_NUM_THREADS=$threads gen cpu bf16 128
RAYON_NUM_THREADS=$threads gen cpu f32 64
nvidia-smi --query-gpu=memory.used,clocks.sm --format=csv

echo "== done $(date -u)"
if [ "$failed" -ne 0 ]; then
  echo "device-check: an f32 verify FAILED" >&2
  exit 1
fi
