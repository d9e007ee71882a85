#!/usr/bin/env bash
# Palisade's engine against llama.cpp on the same model and the same machine.
#
#   scripts/bench-peers.sh [WORK]          # WORK defaults to /tmp/palisade-peers
#
#   BENCH_MODEL=DIR    use this bench-1b checkpoint (safetensors, Llama 4
#                      layout, tokenizer.json) instead of synthesising one
#                      into WORK/bench-1b
#   ROUNDS=N           measurement rounds (default 3; the table shows medians)
#   PREPARE_ONLY=1     build, convert and smoke-test, then stop (no measurement)
#
# Everything is reused when already there, so a second run goes straight to
# the measurement:
#   1. llama.cpp from source at a pinned version: the tree vendored in the
#      PyPI sdist of llama-cpp-python 0.3.36 (llama.cpp 0.5.0, ggml 0.25.3,
#      gguf-py 0.19.0), CPU build with -march=native (less AMX, see below)
#      and OpenMP; only llama-bench and llama-quantize are built. cmake
#      comes from PATH, or from PyPI into WORK/venv.
#   2. the bench model: `palisade model synth --arch llama4 --preset bench-1b
#      --dtype bf16` (cargo builds the binary only if it is missing).
#   3. GGUF files, by llama.cpp's own convert_hf_to_gguf.py (bf16, f32) and
#      llama-quantize (Q8_0, Q4_K_M, from the f32 file), into WORK/gguf. The
#      converter's Python requirements (torch, transformers, ...) go into
#      WORK/venv from PyPI (about 5 GB: PyPI's torch wheel carries CUDA
#      libraries; set PIP_EXTRA_INDEX_URL to a CPU wheel index if one is
#      reachable). The synthesised tokenizer (byte-level BPE, GPT-2's regex)
#      hashes to no model the converter knows, so a wrapper declares
#      `tokenizer.ggml.pre` = gpt-2 there, as for the reference fixtures
#      (shared/fixtures/README.md); the vendored converter is not modified.
#   4. ROUNDS interleaved rounds; in each, for f32 bf16 q8_0 q4_k_m:
#      `llama-bench -t 2 -p 128 -n 32 -r 1`, then Palisade's
#      `cargo bench --bench engine` on the same .gguf file and, for f32 and
#      bf16, on the safetensors checkpoint too (labelled "palisade st").
#   5. a table of median prefill and decode tokens/s and Palisade/llama.cpp.
# Raw outputs land in WORK/results/<timestamp>/.
set -euo pipefail

work=$(mkdir -p "${1:-/tmp/palisade-peers}" && cd "${1:-/tmp/palisade-peers}" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-3}
threads=2
prefill=128
decode=32
llama_version=0.3.36
src=$work/llama_cpp_python-$llama_version/vendor/llama.cpp
venv=$work/venv
gguf_dir=$work/gguf
formats=(f32 bf16 q8_0 q4_k_m)

say() { printf '== %s\n' "$*" >&2; }
# `timed LABEL CMD...`: run CMD, then report how long it took.
timed() {
  local label=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  say "$label: $((SECONDS - start)) s$([ $rc = 0 ] || echo ", failed ($rc)")"
  return $rc
}
# `logged LOG CMD...`: run CMD with its output in LOG, shown if it fails.
logged() {
  local log=$1 rc=0
  shift
  "$@" >"$log" 2>&1 || rc=$?
  [ $rc = 0 ] || tail -20 "$log" >&2
  return $rc
}

# --- 0. tools -----------------------------------------------------------------
if ! command -v g++ >/dev/null; then
  say "g++ is missing: apt-get install g++ (or build-essential)"
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if command -v cmake >/dev/null; then
  cmake=$(command -v cmake)
elif [ -x "$venv/bin/cmake" ] || "$venv/bin/pip" install --quiet cmake >&2; then
  cmake=$venv/bin/cmake
else
  say "cmake is missing and 'pip install cmake' failed: apt-get install cmake"
  exit 1
fi

# --- 1. llama.cpp ---------------------------------------------------------------
build_llama_cpp() {
  if [ ! -f "$src/CMakeLists.txt" ]; then
    # --no-binary for this package only: with ':all:' pip would also build
    # the sdist's build requirements (cmake itself) from source.
    "$venv/bin/pip" download --no-binary llama-cpp-python --no-deps \
      "llama-cpp-python==$llama_version" -d "$work" >&2 &&
      tar -xzf "$work/llama_cpp_python-$llama_version.tar.gz" -C "$work" || return 1
  fi
  (
    set -e
    cd "$src"
    "$cmake" -B build -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DGGML_OPENMP=ON -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_FLAGS="$extra_flags" -DCMAKE_CXX_FLAGS="$extra_flags"
    "$cmake" --build build -j2 --target llama-bench llama-quantize
    echo "$extra_flags" >build/bench-peers-flags
  ) >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; return 1; }
}
# -march=native turns on AMX where the CPU has it, and ggml's AMX matmul (the
# Q4_K and Q8_0 prefill path) dies of SIGILL on `tilezero` on the Xeon VM this
# script was written on (a plain AMX test program runs there; so does
# llama-bench --repack 0). LLAMA_AMX=1 keeps AMX.
extra_flags=
[ "${LLAMA_AMX:-0}" = 1 ] || extra_flags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
if [ ! -x "$src/build/bin/llama-bench" ] || [ ! -x "$src/build/bin/llama-quantize" ] ||
  [ "$(cat "$src/build/bench-peers-flags" 2>/dev/null)" != "$extra_flags" ]; then
  timed "llama.cpp build" build_llama_cpp
fi
llama_bench=$src/build/bin/llama-bench
llama_quantize=$src/build/bin/llama-quantize

# --- 2. the bench model -----------------------------------------------------------
if [ -n "${BENCH_MODEL:-}" ]; then
  model=$(cd "$BENCH_MODEL" && pwd)
else
  model=$work/bench-1b
  if [ ! -f "$model/config.json" ]; then
    if [ ! -x "$repo/target/release/palisade" ]; then
      (cd "$repo" && cargo build --release --locked --bin palisade)
    fi
    rm -rf "$model.tmp"
    "$repo/target/release/palisade" model synth --arch llama4 --preset bench-1b --dtype bf16 --out "$model.tmp"
    mv "$model.tmp" "$model"
  fi
fi

# --- 3. GGUF files ----------------------------------------------------------------
setup_converter() {
  # The converter's requirements file, less its extra index (unreachable
  # here), with the tree's own gguf-py for PyPI's gguf.
  { cat "$src/requirements/requirements-convert_legacy_llama.txt" \
      "$src/requirements/requirements-convert_hf_to_gguf.txt"; } |
    grep -vE '^[[:space:]]*(-r|--extra-index-url|#|$)' |
    sed "s|^gguf.*|$src/gguf-py|" >"$work/requirements-convert.txt" &&
    logged "$work/pip-convert.log" "$venv/bin/pip" install -r "$work/requirements-convert.txt" &&
    touch "$venv/.convert-requirements-installed"
}
if [ ! -f "$venv/.convert-requirements-installed" ]; then
  timed "converter setup (pip)" setup_converter
fi
# Runs the vendored convert_hf_to_gguf.py unchanged, except that a tokenizer
# whose pre-tokenizer hash is unknown is declared gpt-2.
cat >"$work/convert_gpt2_pre.py" <<'EOF'
import logging, runpy, sys
tree = sys.argv.pop(1)
sys.path.insert(0, tree)
sys.path.insert(1, tree + "/gguf-py")
import conversion.base as base
known = base.TextModel.get_vocab_base_pre
def get_vocab_base_pre(self, tokenizer):
    try:
        return known(self, tokenizer)
    except NotImplementedError as e:
        if "pre-tokenizer was not recognized" not in str(e):
            raise
        logging.getLogger("bench-peers").warning("declaring tokenizer.ggml.pre = gpt-2")
        return "gpt-2"
base.TextModel.get_vocab_base_pre = get_vocab_base_pre
sys.argv[0] = tree + "/convert_hf_to_gguf.py"
runpy.run_path(sys.argv[0], run_name="__main__")
EOF
# The files are remade when the checkpoint is another one.
stamp="$model $(stat -c '%s %Y' "$model"/*.safetensors | tr '\n' ' ')"
if [ "$(cat "$gguf_dir/SOURCE" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$gguf_dir"
fi
mkdir -p "$gguf_dir"
echo "$stamp" >"$gguf_dir/SOURCE"
for t in f32 bf16; do
  if [ ! -f "$gguf_dir/bench-1b-$t.gguf" ]; then
    timed "convert $t" logged "$gguf_dir/convert-$t.log" \
      "$venv/bin/python" "$work/convert_gpt2_pre.py" "$src" "$model" \
      --outtype "$t" --outfile "$gguf_dir/bench-1b-$t.gguf.tmp"
    mv "$gguf_dir/bench-1b-$t.gguf.tmp" "$gguf_dir/bench-1b-$t.gguf"
  fi
done
for q in Q8_0 Q4_K_M; do
  out=$gguf_dir/bench-1b-${q,,}.gguf
  if [ ! -f "$out" ]; then
    timed "quantize $q" logged "$gguf_dir/quantize-${q,,}.log" \
      "$llama_quantize" "$gguf_dir/bench-1b-f32.gguf" "$out.tmp" "$q"
    mv "$out.tmp" "$out"
  fi
done
say "smoke test: llama-bench on Q4_K_M"
"$llama_bench" -m "$gguf_dir/bench-1b-q4_k_m.gguf" -t "$threads" -p 8 -n 4 -r 1 >&2
if [ -n "${PREPARE_ONLY:-}" ]; then
  say "prepared: llama.cpp in $src/build/bin, GGUF files in $gguf_dir"
  exit 0
fi

# --- 4. measurement ----------------------------------------------------------------
results=$work/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
say "building the engine bench"
(cd "$repo" && cargo bench --locked --quiet --bench engine --no-run >&2)
# `palisade FILE_OR_DIR DTYPE OUT`: the engine bench's output in OUT.
palisade() {
  (cd "$repo" && PALISADE_BENCH_MODEL=$1 PALISADE_BENCH_DTYPE=$2 \
    PALISADE_BENCH_PREFILL=$prefill PALISADE_BENCH_DECODE=$decode \
    cargo bench --locked --quiet --bench engine >"$3" 2>"$3.err") ||
    { tail -20 "$3.err" >&2; exit 1; }
}
for ((r = 1; r <= rounds; r++)); do
  for f in "${formats[@]}"; do
    file=$gguf_dir/bench-1b-$f.gguf
    dtype=f32
    [ "$f" = bf16 ] && dtype=bf16
    say "round $r/$rounds, $f: llama.cpp"
    "$llama_bench" -m "$file" -t "$threads" -p "$prefill" -n "$decode" -r 1 -o json \
      >"$results/$r-$f-llama.cpp.json" 2>"$results/$r-$f-llama.cpp.err" ||
      { tail -20 "$results/$r-$f-llama.cpp.err" >&2; exit 1; }
    say "round $r/$rounds, $f: palisade (gguf)"
    palisade "$file" "$dtype" "$results/$r-$f-palisade.txt"
    if [ "$f" = f32 ] || [ "$f" = bf16 ]; then
      say "round $r/$rounds, $f: palisade (safetensors)"
      palisade "$model" "$dtype" "$results/$r-$f-palisade-st.txt"
    fi
  done
done

# --- 5. table -------------------------------------------------------------------
{
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(nproc) cores, $threads threads"
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  printf 'flags:'
  for x in avx2 avx512f avx512_bf16 avx512_vnni avx_vnni; do
    if grep -qw "$x" <<<"$flags"; then printf ' %s' "$x"; else printf ' -%s' "$x"; fi
  done
  echo
  echo "model: $model ($rounds rounds, median; prefill $prefill tokens, decode $decode tokens)"
  "$venv/bin/python" - "$results" "$rounds" "${formats[@]}" <<'EOF'
import json, re, statistics, sys
results, rounds, formats = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def llama(path):
    rows = json.load(open(path))
    pp = next(r["avg_ts"] for r in rows if r["n_prompt"] > 0 and r["n_gen"] == 0)
    tg = next(r["avg_ts"] for r in rows if r["n_gen"] > 0 and r["n_prompt"] == 0)
    return pp, tg
def palisade(path):
    text = open(path).read()
    get = lambda k: float(re.search(rf"^{k}\s+([0-9.]+) tokens/s", text, re.M).group(1))
    return get("prefill"), get("decode")
print(f"{'format':8} {'engine':14} {'prefill tok/s':>14} {'decode tok/s':>13} {'prefill x':>10} {'decode x':>9}")
for f in formats:
    base = None
    for engine, read in [("llama.cpp", llama), ("palisade", palisade), ("palisade st", palisade)]:
        name = engine.replace(" ", "-") + (".json" if engine == "llama.cpp" else ".txt")
        try:
            runs = [read(f"{results}/{r}-{f}-{name}") for r in range(1, rounds + 1)]
        except FileNotFoundError:
            continue
        pp = statistics.median(p for p, _ in runs)
        tg = statistics.median(t for _, t in runs)
        if base is None:
            base = (pp, tg)
            ratio = ""
        else:
            ratio = f"{pp / base[0]:>10.2f} {tg / base[1]:>9.2f}"
        print(f"{f:8} {engine:14} {pp:>14.1f} {tg:>13.2f} {ratio}")
print("x = Palisade / llama.cpp; 'palisade' reads the same .gguf as llama.cpp,")
print("'palisade st' the safetensors checkpoint (f32 and bf16 only).")
EOF
} | tee "$results/table.txt"
