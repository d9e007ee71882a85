"""Generators of the annotated PII / health-identifier corpora in
tests/fixtures/pii/ (see the README there). Run them through
scripts/pii-corpus.py; each corpus is a module here with

    OUTPUTS            the file names it writes
    generate(out_dir)  write them into out_dir (fixed seeds: same bytes every run)
    check(out_dir)     validate them there and print counts; True when they pass

and draws its check digits and validators from validators.py.
"""

CORPORA = {
    "base": "dev.txt, heldout.txt and names.txt",
    "fresh": "fresh.txt",
    "fresh2": "fresh2.txt",
    "fresh3": "fresh3.txt",
    "fresh4": "fresh4.txt",
    "fresh5": "fresh5.txt",
    "fresh6": "fresh6.txt",
    "fresh7": "fresh7.txt",
}
