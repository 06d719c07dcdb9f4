#!/usr/bin/env python3
"""Counts the instructions of every loop in an aarch64 disassembly listing.

Usage: count_loops.py FUNCTION.dis [ENTRY...]   (objdump -d
--no-show-raw-insn output of one function; ENTRY: hex addresses)

A loop is the address range from a backward branch's target to the branch.
For each loop, innermost first within its range, prints the instructions per
iteration and how many are NEON float operations on four f32 lanes (`.4s`),
other NEON vector operations, vector loads and stores, and scalar
instructions. Static counts: each instruction once per iteration.

With ENTRY addresses (for example the first instruction of each arm of a
`match` on the backend), a column per entry marks the loops reachable from
it by branches and fall-through, which tells apart the instances of a
generic kernel that the compiler inlined into one function.
"""

import re
import sys

LINE = re.compile(r"^\s*([0-9a-f]+):\s+([a-z][a-z0-9.]*)\s*(.*)$")
BRANCH = re.compile(r"^(b|b\.[a-z]+|cbz|cbnz|tbz|tbnz)$")
TARGET = re.compile(r"\b([0-9a-f]+) <")
VEC = re.compile(r"(^|[\s,{])(v\d+\.|q\d+\b)")


def reachable(insns, entry):
    """Addresses reachable from `entry` by branches and fall-through."""
    index = {addr: i for i, (addr, _, _) in enumerate(insns)}
    if entry not in index:
        raise SystemExit(f"no instruction at {entry:x}")
    seen, todo = set(), [index[entry]]
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        _, op, args = insns[i]
        t = TARGET.search(args)
        if t and int(t.group(1), 16) in index and (op == "b" or BRANCH.match(op)):
            todo.append(index[int(t.group(1), 16)])
        if op not in ("b", "br", "ret") and i + 1 < len(insns):
            todo.append(i + 1)
    return {insns[i][0] for i in seen}


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    entries = [int(e, 16) for e in sys.argv[2:]]
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
    reach = [reachable(insns, e) for e in entries]
    print(f"{'loop (addresses)':<21} {'instr':>6} {'f32x4':>6} {'vec-oth':>8} "
          f"{'vload':>6} {'vstore':>7} {'scalar':>7}"
          + "".join(f" {e:>8x}" for e in entries))
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
        marks = "".join(f" {'yes' if lo in r else '-':>8}" for r in reach)
        print(f"{lo:8x}-{hi:<12x} {tot:6d} {fl:6d} {vo:8d} {ld:6d} {st:7d} {sc:7d}" + marks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
