#!/usr/bin/env bash
# Engine throughput on the synthesised benchmark models (docs/benchmarks.md).
#
#   scripts/bench-engine.sh [DIR]
#
# Writes the `bench-1b` (about 1B total / 200M active parameters, Llama 4
# layout, 16 experts, top-1) and `bench-1b-2x` (32 experts, same top-k)
# models into DIR (default /tmp/palisade-bench, about 6 GB, reused when
# present), then runs `cargo bench --bench engine` in bf16 and f32, the two models
# interleaved in one process so the comparison sees the same machine.
# Every run measures this machine's read bandwidth itself, so the
# roofline fraction stays meaningful on a shared, noisy machine.
set -euo pipefail
dir=${1:-/tmp/palisade-bench}
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
mkdir -p "$dir"
for preset in bench-1b bench-1b-2x; do
  if [ ! -f "$dir/$preset/config.json" ]; then
    target/release/palisade model synth --arch llama4 --preset "$preset" --dtype bf16 --out "$dir/$preset"
  fi
done
for dtype in bf16 f32; do
  echo "== bench-1b $dtype, compared with bench-1b-2x"
  PALISADE_BENCH_MODEL="$dir/bench-1b" PALISADE_BENCH_COMPARE="$dir/bench-1b-2x" PALISADE_BENCH_DTYPE=$dtype \
    cargo bench --locked --quiet --bench engine 2>/dev/null | grep -E "read bandwidth|bytes per token|prefill|decode|roofline|compare"
done
