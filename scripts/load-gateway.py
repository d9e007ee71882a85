"""Latency and throughput of one upstream reached directly and through
gateways, at several concurrencies (scripts/bench-gateway.sh runs it).

    python scripts/load-gateway.py --target NAME=URL[,ca=CA,cert=CERT,key=KEY,token=T] ... \
        --model ID --concurrency 1,16,64 --requests 200 [--max-tokens 4] [--rounds 2]

Each target is a base URL (`.../v1`) with, for a Palisade gateway, the CA,
client certificate, key and JWT. Per concurrency level, N clients send
non-streaming chat completions back to back (temperature 0, `max_tokens`
tokens, so the upstream does the same work each time) until `--requests`
are answered; the levels and targets are interleaved round by round, so
that a drift of the machine touches every target alike. Printed: p50 and
p99 latency, requests per second, failures, and each gateway's added
latency (its p50/p99 minus the direct target's, same round, same level).
"""
import argparse
import asyncio
import json
import ssl
import statistics
import time

import httpx


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def parse_target(text):
    name, rest = text.split("=", 1)
    parts = rest.split(",")
    target = {"name": name, "url": parts[0]}
    for p in parts[1:]:
        k, v = p.split("=", 1)
        target[k] = v
    return target


def client_for(target, concurrency):
    verify = True
    if "ca" in target:
        verify = ssl.create_default_context(cafile=target["ca"])
        if "cert" in target:
            verify.load_cert_chain(target["cert"], target["key"])
    headers = {"Authorization": f"Bearer {target.get('token', 'none')}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(
        base_url=target["url"], verify=verify, headers=headers, limits=limits, timeout=120
    )


async def level(target, model, concurrency, requests, max_tokens):
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "Say hello."}],
        "max_tokens": max_tokens,
        "temperature": 0,
    }
    latencies, failures, statuses = [], 0, {}
    remaining = requests
    async with client_for(target, concurrency) as client:
        # One request each first, so that connections (and TLS) are made
        # before the clock starts, as a long-running client's would be.
        await asyncio.gather(*(client.post("/chat/completions", json=body) for _ in range(concurrency)))

        async def worker():
            nonlocal remaining, failures
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                r = await client.post("/chat/completions", json=body)
                if r.status_code == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    failures += 1
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return {
        "p50_ms": percentile(latencies, 50) * 1e3,
        "p99_ms": percentile(latencies, 99) * 1e3,
        "rps": len(latencies) / wall,
        "failures": failures,
        "statuses": statuses,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", action="append", required=True, type=parse_target)
    parser.add_argument("--model", required=True)
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--max-tokens", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    runs = {}
    for _ in range(args.rounds):
        for c in levels:
            for t in args.target:
                r = asyncio.run(level(t, args.model, c, args.requests, args.max_tokens))
                runs.setdefault((t["name"], c), []).append(r)
    direct = args.target[0]["name"]
    print("| target | clients | p50 | p99 | requests/s | failures | added p50 | added p99 |")
    print("|---|---|---|---|---|---|---|---|")
    summary = []
    for c in levels:
        base = runs[(direct, c)]
        for t in args.target:
            rs = runs[(t["name"], c)]
            p50 = statistics.median(r["p50_ms"] for r in rs)
            p99 = statistics.median(r["p99_ms"] for r in rs)
            rps = statistics.median(r["rps"] for r in rs)
            fails = sum(r["failures"] for r in rs)
            statuses = {}
            for r in rs:
                for k, v in r["statuses"].items():
                    statuses[k] = statuses.get(k, 0) + v
            added50 = statistics.median(r["p50_ms"] - b["p50_ms"] for r, b in zip(rs, base))
            added99 = statistics.median(r["p99_ms"] - b["p99_ms"] for r, b in zip(rs, base))
            added = "" if t["name"] == direct else f"{added50:.2f} ms | {added99:.2f} ms"
            print(
                f"| {t['name']} | {c} | {p50:.2f} ms | {p99:.2f} ms | {rps:.1f} | {fails} | "
                + (added if added else " | ")
                + " |"
            )
            summary.append(
                {"target": t["name"], "clients": c, "p50_ms": p50, "p99_ms": p99, "rps": rps,
                 "failures": fails, "failure_statuses": statuses,
                 "added_p50_ms": added50, "added_p99_ms": added99}
            )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
