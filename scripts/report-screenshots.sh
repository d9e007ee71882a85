#!/usr/bin/env bash
# Screenshots of each compliance report (docs/img/report-*.png), taken in
# headless Chromium: a demo node serves a few requests from three people
# (one with an e-mail address, one with health data and a purpose, one
# refused by policy), then writes the four reports and their HTML is
# rendered. Rerun after a change to the reports' look.
#
#   scripts/report-screenshots.sh [DIR]     # DIR: scratch space, default /tmp/palisade-report-shots
#
# PALISADE_BIN: an already built binary (default: target/debug/palisade).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/palisade-report-shots}
bin=${PALISADE_BIN:-target/debug/palisade}
[ -x "$bin" ] || cargo build --locked --quiet
rm -rf "$dir"
$bin demo init --dir "$dir" --listen 127.0.0.1:18643 >/dev/null
$bin serve --config "$dir/palisade.toml" > "$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
curl_=(curl -s --cacert "$dir/pki/ca.pem" --cert "$dir/pki/client.pem" --key "$dir/pki/client.key")
for _ in $(seq 1 60); do
  "${curl_[@]}" -f https://127.0.0.1:18643/readyz >/dev/null && break
  sleep 1
done
chat() { # token, text
  "${curl_[@]}" -o /dev/null -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -d "{\"model\":\"model\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"$2\"}]}" \
    https://127.0.0.1:18643/v1/chat/completions
}
alice=$($bin token mint --config "$dir/palisade.toml" --sub alice --tenant sales --roles inference --data-classes pii)
bob=$($bin token mint --config "$dir/palisade.toml" --sub bob --tenant clinic --roles inference \
  --data-classes phi --purpose treatment)
carol=$($bin token mint --config "$dir/palisade.toml" --sub carol --tenant clinic --roles inference \
  --data-classes phi)
for i in 1 2 3; do chat "$alice" "Summarise the quarter, reply to ann$i@example.com"; done
for i in 1 2; do chat "$bob" "Patient MRN 12345$i: plan the follow-up"; done
chat "$carol" "Patient MRN 999999: list the medication"
for _ in 1 2; do "${curl_[@]}" -o /dev/null -H "Authorization: Bearer nonsense" https://127.0.0.1:18643/whoami; done
kill $pid
wait $pid 2>/dev/null || true
mkdir -p docs/img
for regulation in eu-ai-act gdpr hipaa integrity; do
  $bin audit report --config "$dir/palisade.toml" --regulation $regulation --out "$dir/$regulation.html" >/dev/null
  chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
    --window-size=1100,1500 --screenshot="$PWD/docs/img/report-$regulation.png" \
    "file://$dir/$regulation.html" 2>/dev/null
  echo "docs/img/report-$regulation.png"
done
