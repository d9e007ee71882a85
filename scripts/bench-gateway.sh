#!/usr/bin/env bash
# Gateway benchmark (docs/benchmarks.md, "Gateways in front of one
# upstream"): one upstream, llama.cpp's llama-server built from source
# serving the llama4-tiny fixture (GGUF, f32), reached
#   - directly (plain HTTP on loopback),
#   - through a Palisade node ([[upstream]]; mutual TLS, JWT, policy,
#     identifier detection, the audit records committed to SQLite),
#   - through LiteLLM proxy (pip's litellm[proxy], master key auth),
# by scripts/load-gateway.py at 1, 16 and 64 concurrent clients, rounds
# interleaved. It prints each gateway's added latency (p50, p99) and the
# requests per second each sustains. A benchmark, not a test.
#
#   scripts/bench-gateway.sh [WORK]      # WORK defaults to /tmp/palisade-gateway
#
# CONCURRENCY (1,16,64), REQUESTS (200 a level and target), ROUNDS (2),
# MAX_TOKENS (4), LLAMA_CPP_SRC (an already unpacked llama.cpp tree, e.g.
# scripts/bench-peers.sh's), LITELLM_VERSION (pinned below).
set -euo pipefail
work=${1:-/tmp/palisade-gateway}
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)
venv=$work/venv
llama_version=0.3.36
litellm_version=${LITELLM_VERSION:-1.108.7}
say() { echo "bench-gateway: $*" >&2; }

# --- tools: a venv with LiteLLM and httpx; cmake ---------------------------------
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c 'import litellm, httpx' 2>/dev/null; then
  say "installing litellm[proxy]==$litellm_version (PyPI)"
  "$venv/bin/pip" install --quiet "litellm[proxy]==$litellm_version" httpx
fi
if command -v cmake >/dev/null; then
  cmake=$(command -v cmake)
else
  "$venv/bin/pip" install --quiet cmake
  cmake=$venv/bin/cmake
fi

# --- llama-server from source ----------------------------------------------------
src=${LLAMA_CPP_SRC:-$work/llama_cpp_python-$llama_version/vendor/llama.cpp}
if [ ! -x "$src/build-server/bin/llama-server" ]; then
  if [ ! -f "$src/CMakeLists.txt" ]; then
    "$venv/bin/pip" download --quiet --no-binary llama-cpp-python --no-deps \
      "llama-cpp-python==$llama_version" -d "$work"
    tar -xzf "$work/llama_cpp_python-$llama_version.tar.gz" -C "$work"
  fi
  say "building llama-server (a few minutes on two cores)"
  (
    cd "$src"
    "$cmake" -B build-server -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" \
      -DCMAKE_CXX_FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
    "$cmake" --build build-server -j2 --target llama-server
  ) >"$work/llama-build.log" 2>&1 || { tail -30 "$work/llama-build.log" >&2; exit 1; }
fi

# --- Palisade ----------------------------------------------------------------------
bin=${PALISADE_BIN:-}
if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --release --locked --quiet --bin palisade)
  bin=$repo/target/release/palisade
fi

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
wait_for() { # URL CURL-ARGS...
  local url=$1
  shift
  for _ in $(seq 1 120); do
    curl -sf "$@" "$url" >/dev/null && return 0
    sleep 0.5
  done
  say "$url did not answer"
  return 1
}

model=$repo/tests/fixtures/gguf/llama4-tiny/f32.gguf
"$src/build-server/bin/llama-server" -m "$model" --host 127.0.0.1 --port 18600 --alias tiny \
  -t 1 -np 64 -c 32768 --log-disable >"$work/llama-server.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:18600/health

run=$work/palisade-run
rm -rf "$run"
"$bin" demo init --dir "$run" --listen 127.0.0.1:18643 >/dev/null
python3 - "$run/palisade.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
# No model of its own: the upstream's, as `tiny`.
text = re.sub(r'\[model\][^\[]*', '', text, count=1)
text += '''
[[upstream]]
name = "llama-server"
urls = ["http://127.0.0.1:18600"]
models = ["tiny"]
health_path = "/health"
max_concurrency = 256

# One subject sends every request of the benchmark: lift its limit (the
# limiter still runs).
[rate_limits]
default = { requests_per_minute = 60000000 }
'''
open(path, "w").write(text)
PY
"$bin" serve --config "$run/palisade.toml" >"$work/palisade.log" 2>&1 &
pids+=($!)
wait_for https://127.0.0.1:18643/readyz --cacert "$run/pki/ca.pem" --cert "$run/pki/client.pem" --key "$run/pki/client.key"
token=$("$bin" token mint --config "$run/palisade.toml" --sub loadtest --tenant bench --roles inference --ttl 2h)

cat >"$work/litellm.yaml" <<'YAML'
model_list:
  - model_name: tiny
    litellm_params:
      model: openai/tiny
      api_base: http://127.0.0.1:18600/v1
      api_key: none
general_settings:
  master_key: sk-bench
litellm_settings:
  telemetry: false
YAML
(cd "$work" && exec "$venv/bin/litellm" --config "$work/litellm.yaml" --host 127.0.0.1 --port 18700 \
  --num_workers 2 >"$work/litellm.log" 2>&1) &
pids+=($!)
wait_for http://127.0.0.1:18700/health/liveliness

say "llama.cpp: $("$src/build-server/bin/llama-server" --version 2>&1 | head -1); litellm $litellm_version"
say "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
"$venv/bin/python" "$repo/scripts/load-gateway.py" --model tiny \
  --concurrency "${CONCURRENCY:-1,16,64}" --requests "${REQUESTS:-200}" \
  --rounds "${ROUNDS:-2}" --max-tokens "${MAX_TOKENS:-4}" \
  --target "direct=http://127.0.0.1:18600/v1" \
  --target "palisade=https://127.0.0.1:18643/v1,ca=$run/pki/ca.pem,cert=$run/pki/client.pem,key=$run/pki/client.key,token=$token" \
  --target "litellm=http://127.0.0.1:18700/v1,token=sk-bench"
