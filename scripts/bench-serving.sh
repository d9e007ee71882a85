#!/usr/bin/env bash
# Serving load benchmark (docs/benchmarks.md): the release daemon serving the
# synthesised bench-1b model (bf16) over mTLS + JWT, driven by
# scripts/load-serving.py (the official openai SDK) at 1, 4, 16 and 64
# concurrent streams.
#
#   scripts/bench-serving.sh [DIR]      # DIR: scratch space, default /tmp/palisade-bench
#
# CONCURRENCY (default 1,4,16,64), REQUESTS_PER_CLIENT (2), MAX_TOKENS (64),
# PROMPT_WORDS (a prompt of that many words instead of the one-line
# default), QUANTIZATION (q8_0 or q4_k: the model quantized in situ as it
# loads, `model.quantization`), CONSTRAINED=1 (each level run plain, with a
# JSON schema, and plain again: the cost of constrained decoding), SCHEMA
# (with CONSTRAINED: `string`, one long string, the default; or `records`,
# an array of structured objects).
set -euo pipefail
dir=${1:-/tmp/palisade-bench}
cd "$(dirname "$0")/.."
# PALISADE_BIN: an already built release binary (skips the build).
bin=${PALISADE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked --quiet
  bin=target/release/palisade
fi
mkdir -p "$dir"
[ -f "$dir/bench-1b/config.json" ] || $bin model synth --arch llama4 --preset bench-1b --dtype bf16 --out "$dir/bench-1b"
if ! target/openai-venv/bin/python -c 'import openai' 2>/dev/null; then
  python3 -m venv target/openai-venv
  target/openai-venv/bin/pip install --quiet openai==3.57.0
fi
run="$dir/serving-run"
rm -rf "$run"
$bin demo init --dir "$run" --listen 127.0.0.1:18543 >/dev/null
# Serve the benchmark model instead of the demo's tiny one.
python3 - "$run/palisade.toml" "$dir/bench-1b" "${QUANTIZATION:-}" <<'PY'
import re, sys
path, model, quantization = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
quantized = f'quantization = "{quantization}"\n' if quantization else ''
text = re.sub(r'\[model\][^\[]*', f'[model]\npath = "{model}"\nid = "bench-1b"\ndtype = "bf16"\nmax_batch = 16\nqueue_depth = 256\n{quantized}\n', text, count=1)
open(path, "w").write(text)
PY
# The demo's license covers the demo model only: sign one for bench-1b with
# the demo's development vendor key (docs/license.md).
digest=$($bin model inspect "$dir/bench-1b" | awk '/^weights digest/ {print $3}')
python3 - "$run/license/license.json" "$run/license/bench-terms.json" "$digest" <<'PY'
import json, sys
license, terms, digest = sys.argv[1], sys.argv[2], sys.argv[3]
t = json.load(open(license))["license"]
t["license_id"] = "BENCH-" + t["license_id"]
t["models"] = [{"id": "bench-1b", "weights_digest": digest}]
json.dump(t, open(terms, "w"))
PY
$bin license sign --key "$run/license/vendor.key" --terms "$run/license/bench-terms.json" \
  --out "$run/license/license.json" >/dev/null
$bin serve --config "$run/palisade.toml" > "$run/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf --cacert "$run/pki/ca.pem" --cert "$run/pki/client.pem" --key "$run/pki/client.key" \
    https://127.0.0.1:18543/readyz >/dev/null && break
  sleep 1
done
curl -sf --cacert "$run/pki/ca.pem" --cert "$run/pki/client.pem" --key "$run/pki/client.key" \
  https://127.0.0.1:18543/readyz >/dev/null || {
  echo "the daemon did not become ready; $run/serve.log says:" >&2
  grep -E 'ERROR|WARN' "$run/serve.log" >&2
  exit 1
}
token=$($bin token mint --config "$run/palisade.toml" --sub loadtest --tenant bench --roles inference --ttl 2h)
target/openai-venv/bin/python scripts/load-serving.py --base-url https://127.0.0.1:18543/v1 \
  --ca "$run/pki/ca.pem" --cert "$run/pki/client.pem" --key "$run/pki/client.key" \
  --token "$token" --model bench-1b --concurrency "${CONCURRENCY:-1,4,16,64}" \
  --requests-per-client "${REQUESTS_PER_CLIENT:-2}" --max-tokens "${MAX_TOKENS:-64}" \
  --prompt-words "${PROMPT_WORDS:-0}" ${CONSTRAINED:+--constrained --schema "${SCHEMA:-string}"}
