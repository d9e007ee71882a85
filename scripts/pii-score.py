#!/usr/bin/env python3
# Scores `palisade pii scan` on an annotated corpus (tests/fixtures/pii/README.md):
# python3 scripts/pii-score.py FILE [debug]   (uses target/debug/palisade)
import subprocess, json, sys, re
path = sys.argv[1]
names = 'tests/fixtures/pii/names.txt'
lines = [l for l in open(path, encoding='utf-8').read().split('\n') if l.strip() and not l.startswith('#')]
plain_all = []; gold_all = []
for line in lines:
    plain = b''; gold = []; rest = line
    while '⟦' in rest:
        i = rest.index('⟦'); plain += rest[:i].encode()
        after = rest[i+1:]; j = after.index('⟧'); inner = after[:j]
        cat, val = inner.split(':', 1)
        s = len(plain); plain += val.encode(); gold.append((cat, s, len(plain)))
        rest = after[j+1:]
    plain += rest.encode()
    plain_all.append(plain); gold_all.append(gold)
scores = {}
debug = len(sys.argv) > 2
for plain, gold in zip(plain_all, gold_all):
    out = subprocess.run(['target/debug/palisade', 'pii', 'scan', '--names', names], input=plain, capture_output=True).stdout.decode()
    found = [json.loads(l) for l in out.splitlines()]
    matched = [False]*len(gold)
    for f in found:
        sc = scores.setdefault(f['category'], [0,0,0])
        hit = None
        for i,(c,s,e) in enumerate(gold):
            if not matched[i] and c == f['category'] and f['start'] < e and s < f['end']:
                hit = i; break
        if hit is None:
            sc[1] += 1
            if debug: print('FP', f['category'], plain[f['start']:f['end']].decode(errors='replace'), '|', plain.decode(errors='replace'))
        else:
            matched[hit] = True; sc[0] += 1
    for i,(c,s,e) in enumerate(gold):
        if not matched[i]:
            scores.setdefault(c, [0,0,0])[2] += 1
            if debug: print('FN', c, plain[s:e].decode(errors='replace'), '|', plain.decode(errors='replace'))
for c in sorted(scores):
    tp, fp, fn = scores[c]
    p = tp/(tp+fp) if tp+fp else 1.0; r = tp/(tp+fn) if tp+fn else 1.0
    print(f"  {c:<22} precision {p:.3f} recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
