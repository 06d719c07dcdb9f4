#!/usr/bin/env python3
"""Bytes of code one call of a function reaches: the function and every
function it calls or branches to, directly or not (an Arm ELF, through
arm-none-eabi-objdump and -nm). The compiler's routines (soft float,
memcpy; compiler_builtins) are left out, as in the C step's figure.
A function whose address sits in a literal pool of a function reached
(a call through a register, as `opt-level = "z"` makes of repeated calls,
or a table of functions) counts as reached.

Usage: step-code.py ELF DEMANGLED-NAME   (e.g. "<wtas::cell::Cell>::advance")
"""
import re
import subprocess
import sys

elf, root = sys.argv[1], sys.argv[2]
nm = subprocess.run(["arm-none-eabi-nm", "-S", "-t", "d", elf], capture_output=True, text=True, check=True).stdout
dem = subprocess.run(["arm-none-eabi-nm", "-C", "-S", "-t", "d", elf], capture_output=True, text=True, check=True).stdout
size, demangled, at = {}, {}, {}
for raw, pretty in zip(nm.splitlines(), dem.splitlines()):
    f, g = raw.split(maxsplit=3), pretty.split(maxsplit=3)
    if len(f) == 4 and f[2] in "tTwW":
        size[f[3]] = int(f[1])
        at[int(f[0]) & ~1] = f[3]
        demangled[f[3]] = g[3]
edges, cur = {}, None
dis = subprocess.run(["arm-none-eabi-objdump", "-d", elf], capture_output=True, text=True, check=True).stdout
for line in dis.splitlines():
    m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
    if m:
        cur = m.group(1)
        edges.setdefault(cur, set())
        continue
    if cur is None:
        continue
    m = re.search(r"\t(b[a-z.]*|cb[n]?z)\t.*<([^>+]+)(\+0x[0-9a-f]+)?>", line)
    if m and m.group(2) != cur:
        edges[cur].add(m.group(2))
    m = re.search(r"\t\.word\t0x([0-9a-f]+)", line)
    if m and (int(m.group(1), 16) & ~1) in at:
        edges[cur].add(at[int(m.group(1), 16) & ~1])
# Either mangling scheme: `<wtas::cell::Cell>::advance` (v0) or
# `wtas::cell::Cell::advance` (legacy, as rustup's precompiled core has it).
plain = lambda name: name.replace("<", "").replace(">", "")
roots = [s for s, d in demangled.items() if plain(d) == plain(root)]
if not roots and plain(root) == "wtas::cell::Cell::advance":
    # `Cell<S>` is generic: its `advance` may carry the storage type, or be
    # inlined into the scenario's `Layer` impl for the cell.
    cell = r"wtas::cell::Cell<[^<>]*>"
    pattern = re.compile(rf"<?{cell}(?: as [\w:]+)?>?::advance")
    roots = [s for s, d in demangled.items() if pattern.fullmatch(d)]
if not roots:
    sys.exit(f"step-code: no function {root} in {elf}")
seen, todo = set(), list(roots)
while todo:
    s = todo.pop()
    if s in seen or "compiler_builtins" in s or s.startswith("__aeabi"):
        continue
    seen.add(s)
    todo.extend(edges.get(s, ()))
print(sum(size.get(s, 0) for s in seen))
