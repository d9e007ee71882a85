#!/usr/bin/env bash
# Makes tests/fixtures/gguf/qwen3moe-tiny-moe/ (f32, Q8_0 and Q4_K_M files
# of a qwen3moe checkpoint, and SOURCE) with llama.cpp's own converter and
# quantizer, as ../shared/fixtures/README.md made the other GGUF fixtures.
#
#   scripts/make-qwen3moe-gguf-fixture.sh [WORK]   # WORK: scripts/bench-peers.sh's (/tmp/palisade-peers)
#
# Run `PREPARE_ONLY=1 scripts/bench-peers.sh` first: it builds llama.cpp
# and the converter's Python environment in WORK. The checkpoint is
# `palisade model synth --arch qwen3moe --preset tiny-moe --dtype f32
# --seed 11` (every layer routed: llama.cpp's qwen3moe architecture has no
# dense layers); the engine's test makes it again to compare logits.
# PALISADE_BIN picks the binary (default target/debug/palisade).
set -euo pipefail
work=$(cd "${1:-/tmp/palisade-peers}" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
src=$work/llama_cpp_python-0.3.36/vendor/llama.cpp
out=$repo/tests/fixtures/gguf/qwen3moe-tiny-moe
palisade=${PALISADE_BIN:-$repo/target/debug/palisade}
for need in "$work/venv/bin/python" "$work/convert_gpt2_pre.py" "$src/build/bin/llama-quantize" "$palisade"; do
  [ -e "$need" ] || { echo "missing $need (run PREPARE_ONLY=1 scripts/bench-peers.sh, and cargo build)" >&2; exit 1; }
done
checkpoint=$(mktemp -d)
trap 'rm -rf "$checkpoint"' EXIT
rmdir "$checkpoint"
"$palisade" model synth --arch qwen3moe --preset tiny-moe --dtype f32 --seed 11 --out "$checkpoint"
mkdir -p "$out"
"$work/venv/bin/python" "$work/convert_gpt2_pre.py" "$src" "$checkpoint" --outtype f32 \
  --model-name qwen3moe-tiny-moe --outfile "$out/f32.gguf" >"$out/convert.log" 2>&1
for format in Q8_0 Q4_K_M; do
  lower=$(echo "$format" | tr 'A-Z' 'a-z')
  "$src/build/bin/llama-quantize" "$out/f32.gguf" "$out/$lower.gguf" "$format" >"$out/$lower.quantize.log" 2>&1
done
# Logs without this machine's paths.
sed -i "s#$checkpoint#CHECKPOINT#g; s#$out#OUT#g; s#$work#WORK#g" "$out"/*.log
cat >"$out/SOURCE" <<SOURCE
checkpoint: palisade model synth --arch qwen3moe --preset tiny-moe --dtype f32 --seed 11
converter:  llama.cpp convert_hf_to_gguf.py --outtype f32 --model-name qwen3moe-tiny-moe (tree of llama-cpp-python 0.3.36's sdist:
            llama.cpp 0.5.0, ggml 0.25.3, gguf-py 0.19.0), tokenizer.ggml.pre declared gpt-2
            (the synthesised tokenizer hashes to no known model; it is GPT-2's byte-level BPE)
quantizer:  llama-quantize f32.gguf q8_0.gguf Q8_0; llama-quantize f32.gguf q4_k_m.gguf Q4_K_M
            (widths of 64 are no multiple of 256: Q4_K falls back to Q5_0, Q6_K to Q8_0; see the logs)
SOURCE
ls -l "$out"
