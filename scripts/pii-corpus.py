#!/usr/bin/env python3
"""Generate and validate the annotated PII / health-identifier corpora in
tests/fixtures/pii/ (format and span rules: tests/fixtures/pii/README.md).

    python3 scripts/pii-corpus.py base             # regenerate dev.txt, heldout.txt, names.txt; check them
    python3 scripts/pii-corpus.py fresh3 --check   # only validate the existing fresh3.txt
    python3 scripts/pii-corpus.py all --out DIR    # regenerate every corpus into DIR, then check it

Corpora: base (dev.txt, heldout.txt and names.txt) and fresh, fresh2, ...,
fresh7 (fresh.txt, fresh2.txt, ...). Each lives in scripts/pii_corpus/NAME.py
with its own templates and seed; the check digits and validators they share
are in scripts/pii_corpus/validators.py. Standard library only. The seeds are
fixed, so a regenerated file is byte for byte the committed one. The fresh
corpora read the name dictionary from tests/fixtures/pii/names.txt, whatever
--out says.
"""
import argparse
import importlib
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__

from pii_corpus import CORPORA  # noqa: E402
from pii_corpus.validators import FIXTURES, display_path  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="+", choices=[*CORPORA, "all"], metavar="CORPUS",
                    help="one or more of: %s, or all" % ", ".join(CORPORA))
    ap.add_argument("--out", type=Path, default=FIXTURES, metavar="DIR",
                    help="directory to write (or, with --check, to validate); default tests/fixtures/pii")
    ap.add_argument("--check", action="store_true", help="only validate the existing files, do not regenerate")
    args = ap.parse_args(argv)
    names = list(CORPORA) if "all" in args.corpus else list(dict.fromkeys(args.corpus))
    if not args.check:
        args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in names:
        corpus = importlib.import_module(f"pii_corpus.{name}")
        if not args.check:
            corpus.generate(args.out)
            print("wrote " + ", ".join(str(display_path(args.out / f)) for f in corpus.OUTPUTS))
        if not corpus.check(args.out):
            failed.append(name)
    if failed:
        print("check failed: " + " ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
