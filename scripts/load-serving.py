"""Load test of /v1/chat/completions: N concurrent streaming clients.

    python scripts/load-serving.py --base-url https://127.0.0.1:8443/v1 --ca CA --cert CERT --key KEY \
        --token JWT --model ID --concurrency 1,4,16,64 [--requests-per-client 2] [--max-tokens 64] \
        [--prompt-words N]

Each client sends streaming chat requests one after another (temperature 0,
`max_tokens` tokens, no stop, so every request decodes the same length).
Per concurrency level it prints: aggregate decode throughput (completion
tokens per second of wall time), p50/p99 time to first token, p50/p99
inter-token latency (between streamed chunks), and requests refused.
`--prompt-words N` sends a prompt of N words instead of the default
one-line request, for time to first token at a given prompt length; the
table gives the prompt's tokens as the server counted them (`bench-1b`'s
synthesised tokenizer takes about 3.4 tokens a word, and its chat
template 18 tokens).
Uses the official openai SDK (the venv scripts/bench-serving.sh makes).
"""
import argparse
import asyncio
import json
import ssl
import statistics
import time

import openai


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


DEFAULT_PROMPT = "Write a long story about a lighthouse keeper."
WORDS = "the keeper climbed stairs each night to light a lamp for ships at sea".split()


def prompt_of(words):
    if not words:
        return DEFAULT_PROMPT
    return " ".join(WORDS[i % len(WORDS)] for i in range(words))


# The schema of --constrained: one long string, so that a constrained
# answer runs to max_tokens as an unconstrained one does, and tokens/s
# compare like with like.
LONG_STRING = {
    "name": "note",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"note": {"type": "string", "minLength": 4000}},
        "required": ["note"],
    },
}

# `--schema records`: an array of small structured objects (integers, an
# enum, a bounded string) that admits no end before max_tokens, so the mask
# is computed at structural positions most of the time, not inside one
# string: the costlier case for the constraint engine.
RECORDS = {
    "name": "records",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {
            "rows": {
                "type": "array",
                "minItems": 1000,
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"enum": ["alpha", "beta", "gamma", "delta"]},
                        "score": {"type": "number"},
                        "ok": {"type": "boolean"},
                        "tag": {"type": "string", "maxLength": 12},
                    },
                    "required": ["id", "kind", "score", "ok", "tag"],
                },
            }
        },
        "required": ["rows"],
    },
}
SCHEMAS = {"string": LONG_STRING, "records": RECORDS}
SCHEMA = LONG_STRING


async def one_request(client, model, max_tokens, prompt, ttfts, itls, prompt_tokens, constrained):
    start = time.perf_counter()
    last = None
    tokens = 0
    extra = {"response_format": {"type": "json_schema", "json_schema": SCHEMA}} if constrained else {}
    stream = await client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": prompt}],
        max_tokens=max_tokens,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
        **extra,
    )
    async for chunk in stream:
        now = time.perf_counter()
        if chunk.usage is not None:
            tokens = chunk.usage.completion_tokens
            prompt_tokens.append(chunk.usage.prompt_tokens)
        if chunk.choices and chunk.choices[0].delta.content:
            if last is None:
                ttfts.append(now - start)
            else:
                itls.append(now - last)
            last = now
    return tokens


async def level(args, concurrency, constrained=False):
    tls = ssl.create_default_context(cafile=args.ca)
    tls.load_cert_chain(args.cert, args.key)
    client = openai.AsyncOpenAI(
        base_url=args.base_url,
        api_key=args.token,
        http_client=openai.DefaultAsyncHttpxClient(verify=tls, timeout=600),
        max_retries=0,
    )
    ttfts, itls, prompt_tokens, refused = [], [], [], 0
    total_tokens = 0

    async def worker():
        nonlocal refused, total_tokens
        for _ in range(args.requests_per_client):
            try:
                tokens = await one_request(
                    client,
                    args.model,
                    args.max_tokens,
                    prompt_of(args.prompt_words),
                    ttfts,
                    itls,
                    prompt_tokens,
                    constrained,
                )
            except openai.RateLimitError:
                refused += 1
                continue
            total_tokens += tokens

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "constrained": constrained,
        "requests": concurrency * args.requests_per_client - refused,
        "refused": refused,
        "completion_tokens": total_tokens,
        "prompt_tokens_p50": percentile(prompt_tokens, 50),
        "wall_s": round(wall, 2),
        "tokens_per_s": round(total_tokens / wall, 1),
        "ttft_p50_ms": round(percentile(ttfts, 50) * 1e3, 1),
        "ttft_p99_ms": round(percentile(ttfts, 99) * 1e3, 1),
        "itl_p50_ms": round(percentile(itls, 50) * 1e3, 1),
        "itl_p99_ms": round(percentile(itls, 99) * 1e3, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    for name in ("base-url", "ca", "cert", "key", "token", "model"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--concurrency", default="1,4,16,64")
    parser.add_argument("--requests-per-client", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--prompt-words", type=int, default=0)
    parser.add_argument(
        "--constrained",
        action="store_true",
        help="each level also with a JSON schema (response_format), interleaved plain/constrained/plain",
    )
    parser.add_argument(
        "--schema",
        choices=sorted(SCHEMAS),
        default="string",
        help="the schema of --constrained: one long string, or an array of structured records",
    )
    args = parser.parse_args()
    global SCHEMA
    SCHEMA = SCHEMAS[args.schema]
    if args.constrained:
        print("| streams | plain tokens/s | constrained tokens/s | plain again | constrained / plain |")
        print("|---|---|---|---|---|")
        rows = []
        for c in args.concurrency.split(","):
            a = asyncio.run(level(args, int(c)))
            b = asyncio.run(level(args, int(c), True))
            a2 = asyncio.run(level(args, int(c)))
            plain = (a["tokens_per_s"] + a2["tokens_per_s"]) / 2
            print(f"| {c} | {a['tokens_per_s']} | {b['tokens_per_s']} | {a2['tokens_per_s']} | {b['tokens_per_s'] / plain:.3f} |")
            rows += [a, b, a2]
        print(json.dumps(rows))
        return
    results = [asyncio.run(level(args, int(c))) for c in args.concurrency.split(",")]
    base = results[0]["tokens_per_s"] or float("nan")
    print("| streams | prompt tokens | requests | refused | tokens/s | x one stream | TTFT p50 | TTFT p99 | ITL p50 | ITL p99 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['concurrency']} | {r['prompt_tokens_p50']} | {r['requests']} | {r['refused']} | {r['tokens_per_s']} | "
            f"{r['tokens_per_s'] / base:.1f} | {r['ttft_p50_ms']} ms | {r['ttft_p99_ms']} ms | "
            f"{r['itl_p50_ms']} ms | {r['itl_p99_ms']} ms |"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
