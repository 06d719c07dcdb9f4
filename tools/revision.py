"""A revision of this repository as a directory to build in, for the
tools that measure revisions side by side (``callgrind_step.py``,
``bench_c.py``)."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@contextmanager
def checkout(rev: str, dest: Path) -> Iterator[tuple[Path, str]]:
    """Yields the directory of ``rev`` and its label for a table.

    ``.`` is the working tree itself, labelled with ``HEAD``'s short hash
    and `` + changes`` if tracked files differ from it; any other revision
    is checked out at ``dest`` with ``git worktree`` and removed afterwards.
    """
    if rev == ".":
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        yield ROOT, f"`{_git('rev-parse', '--short', 'HEAD')}`" + (" + changes" if dirty else "")
        return
    _git("worktree", "add", "--quiet", "--detach", str(dest), rev)
    try:
        yield dest, f"`{_git('rev-parse', '--short', rev)}`"
    finally:
        _git("worktree", "remove", "--force", str(dest))
