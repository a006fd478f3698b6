"""What streaming a whole compressed file costs a Dask worker.

A compressed (or UTF-16/32) corpus is streamed whole by every worker, each keeping its share of
the ranges (``FileStream`` in ``wordspace.models._distributed``).  Printed: the time to decompress
and scan the whole file keeping nothing, against the time one worker's share of ``--workers``
takes in all (streamed, tokenised, encoded as word2vec encodes it), in this process, no Dask.
Run it alone (``/work/bin/quiet``)::

    python bench/dask_stream.py --workers 4
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    import wordspace.models._distributed as D
    from wordspace.corpus import Corpus, _open_binary

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DATA / "corpus" / "big.txt.gz")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    size = D.W2V_PARTITION_CHARS
    corpus = Corpus(args.corpus)
    options = next(D.partitions(corpus, size))[1]
    print(f"{args.corpus.name}, ranges of {size:,} bytes; load "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    tick = time.perf_counter()
    with _open_binary(args.corpus) as handle:
        for _ in D._line_ranges(handle.read, size, b"\n", lambda i: False):
            pass
    scan = time.perf_counter() - tick
    print(f"decompress and scan the whole file: {scan:.2f} s")
    tick = time.perf_counter()
    share = D._stream_ranges(D.FileStream(str(args.corpus), size, "utf-8", 0, args.workers),
                             options, D._encode_partition)
    full = time.perf_counter() - tick
    print(f"share 0 of {args.workers} ({len(share)} ranges) streamed, tokenised, encoded: "
          f"{full:.2f} s; the scan is {scan / full:.0%} of it")
    print(f"load at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
