#!/usr/bin/env python3
"""Counts the instructions of every loop in an aarch64 disassembly listing.

Usage: count_loops.py FUNCTION.dis   (objdump -d --no-show-raw-insn output
of one function)

A loop is the address range from a backward branch's target to the branch.
For each loop, innermost first within its range, prints the instructions per
iteration and how many are NEON float operations on four f32 lanes (`.4s`),
other NEON vector operations, vector loads and stores, and scalar
instructions. Static counts: each instruction once per iteration.
"""

import re
import sys

LINE = re.compile(r"^\s*([0-9a-f]+):\s+([a-z][a-z0-9.]*)\s*(.*)$")
BRANCH = re.compile(r"^(b|b\.[a-z]+|cbz|cbnz|tbz|tbnz)$")
TARGET = re.compile(r"\b([0-9a-f]+) <")
VEC = re.compile(r"(^|[\s,{])(v\d+\.|q\d+\b)")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    insns = []
    loops = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            addr, op, args = int(m.group(1), 16), m.group(2), m.group(3)
            insns.append((addr, op, args))
            t = TARGET.search(args)
            if BRANCH.match(op) and t and int(t.group(1), 16) <= addr:
                loops.append((int(t.group(1), 16), addr))
    if not insns:
        print("no instructions in the listing", file=sys.stderr)
        return 1
    print(f"{'loop (addresses)':<21} {'instr':>6} {'f32x4':>6} {'vec-oth':>8} "
          f"{'vload':>6} {'vstore':>7} {'scalar':>7}")
    for lo, hi in sorted(set(loops)):
        tot = fl = vo = ld = st = sc = 0
        for addr, op, args in insns:
            if not lo <= addr <= hi:
                continue
            tot += 1
            vec = VEC.search(args) is not None
            if vec and op in ("ldr", "ldp", "ldur", "ld1", "ld1r"):
                ld += 1
            elif vec and op in ("str", "stp", "stur", "st1"):
                st += 1
            elif vec and op.startswith("f") and ".4s" in args:
                fl += 1
            elif vec:
                vo += 1
            else:
                sc += 1
        print(f"{lo:8x}-{hi:<12x} {tot:6d} {fl:6d} {vo:8d} {ld:6d} {st:7d} {sc:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
