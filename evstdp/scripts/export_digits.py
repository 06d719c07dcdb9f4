#!/usr/bin/env python3
"""Exports scikit-learn's copy of the UCI 8x8 handwritten digits to
``evstdp/data/digits.bin``: 1,797 records of 65 bytes, each 64 pixel
values (0..16, row-major) followed by the label (0..9), in the file's order.

    python3 evstdp/scripts/export_digits.py path/to/sklearn/datasets/data/digits.csv.gz

The input is the ``digits.csv.gz`` inside a scikit-learn wheel (1.7.2 was
used; see ``evstdp/data/README.md``). Only the standard library is needed.
"""

import gzip
import hashlib
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "digits.bin"


def main() -> int:
    src = Path(sys.argv[1])
    raw = src.read_bytes()
    rows = [line.split(",") for line in gzip.decompress(raw).decode().split("\n") if line.strip()]
    out = bytearray()
    for r in rows:
        vals = [int(float(x)) for x in r]
        assert len(vals) == 65 and all(0 <= v <= 16 for v in vals[:64]) and 0 <= vals[64] <= 9
        out += bytes(vals)
    assert len(rows) == 1797
    OUT.write_bytes(out)
    print(f"input sha256 {hashlib.sha256(raw).hexdigest()}")
    print(f"wrote {OUT.name}: {len(rows)} records, {len(out)} bytes, sha256 {hashlib.sha256(out).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
