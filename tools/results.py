#!/usr/bin/env python3
"""Writes one measured table into RESULTS.md, between its markers.

A generated section of RESULTS.md stands between ``<!-- generated: NAME -->``
and ``<!-- end generated: NAME -->``. This replaces what is between them
with the body read on stdin, under a line that names the command that
measured it and the date (UTC)::

    some-script --results | python3 tools/results.py NAME --command "some-script --results"

``--code`` puts the body in a fenced code block (for a script's
fixed-width report); ``--dry-run`` prints the section instead of writing
it; ``--file`` names another file (default: RESULTS.md at the root).
Scripts in Python import ``write_section`` instead.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "RESULTS.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- generated: {name} -->", f"<!-- end generated: {name} -->"


def section(body: str, command: str | None, code: bool = False, date: str | None = None) -> str:
    """The text between the markers: the command and date, then the body."""
    body = body.strip("\n")
    if code:
        body = f"```\n{body}\n```"
    if command is None:
        return body
    date = date or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"`{command}` ({date}):\n\n{body}"


def replace(text: str, name: str, content: str) -> str:
    """``text`` with section ``name`` holding ``content``; exits if the file
    has not exactly one such section."""
    begin, end = markers(name)
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise SystemExit(f"results: no section {name!r} ({begin} ... {end})")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{content.strip(chr(10))}\n{end}{tail}"


def write_section(name: str, content: str, path: Path = RESULTS, demote: bool = False) -> Path:
    """Writes ``content`` as section ``name`` of ``path``; ``demote`` moves
    its headings one level down."""
    if demote:
        content = re.sub(r"^(#+) ", r"\1# ", content.strip(), flags=re.M)
    path.write_text(replace(path.read_text(), name, content))
    return path


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("name", help="the section's NAME in its markers")
    ap.add_argument("--command", required=True, help="the command that measured the table")
    ap.add_argument("--code", action="store_true", help="the body as a fenced code block")
    ap.add_argument("--file", type=Path, default=RESULTS)
    ap.add_argument("--dry-run", action="store_true", help="print the section, write nothing")
    args = ap.parse_args(argv)
    body = sys.stdin.read()
    if not body.strip():
        raise SystemExit(f"results: nothing on stdin for {args.name!r}")
    content = section(body, args.command, args.code)
    if args.dry_run:
        replace(args.file.read_text(), args.name, content)  # the section must exist
        begin, end = markers(args.name)
        print(f"{begin}\n{content}\n{end}")
        return 0
    write_section(args.name, content, args.file)
    print(f"results: wrote section {args.name!r} of {args.file.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
