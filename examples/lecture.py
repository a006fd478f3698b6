"""The lecture, reproduced: every figure from a real run of wordspace's models.

The same code as ``wordspace lecture -o DIR``, called through the library: one PNG per idea,
``lecture.json`` with the numbers behind each figure, and ``lecture.pdf`` with a caption each.
The figures about word meaning (1, 2, 8, 10) are better on a large corpus; pass big.txt with
``--corpus`` (it falls back to the embedded Brown corpus when the file is absent).

Run from the repository root (about a minute on 2 cores with the Brown corpus)::

    python examples/lecture.py                      # -> examples/out/lecture/
    python examples/lecture.py --corpus ../shared/data/corpus/big.txt.gz --out lecture-big
"""

from __future__ import annotations

import argparse
import logging

from wordspace import _progress
from wordspace.lecture import lecture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples/out/lecture", help="folder to write into")
    parser.add_argument("--corpus", default="brown", help="corpus of the word figures")
    parser.add_argument("--quick", action="store_true", help="smaller models, fewer epochs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    _progress.enable()
    report = lecture(args.out, corpus=args.corpus, quick=args.quick, seed=args.seed)
    for figure in report["figures"]:
        status = figure["png"] if figure["status"] == "made" else f"skipped: {figure['reason']}"
        print(f"{figure['number']:2d}. {figure['caption']}\n    -> {status}")
    print(f"{report['seconds']:.1f} s; numbers in {args.out}/lecture.json, all figures in "
          f"{args.out}/lecture.pdf")


if __name__ == "__main__":
    main()
