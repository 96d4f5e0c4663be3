"""One provenance record for every command: what ran, on which code, with which libraries.

``alliance run``, ``alliance compare`` and ``alliance sensitivity`` all write
``provenance.json`` with :func:`record`, so a reader (or the paper's build) finds the same
keys whatever produced a folder:

``schema``, ``command`` (the command line, paths relative), ``working_directory`` (``"."``),
``package``/``package_version``, ``git_commit``, ``git_dirty`` (whether the tree had
uncommitted changes) and ``git_diff_sha256`` (the hash of those changes), all read when the
command started, ``git_changed_during_run``, ``versions`` (Python and every library whose version changes a
result or a file: numpy, numba, llvmlite, scipy, pandas, pyarrow, SALib, matplotlib, mesa,
pydantic), ``platform``, ``started_utc``, ``ended_utc``, ``wall_seconds``, ``workers``,
``seeds``, then what the command adds (its parameters, its spec, ...).

Versions are read from the installed distributions' metadata, so writing provenance
imports none of the libraries. Every path is relative to the working directory.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = "alliance-provenance/1"

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Distributions whose versions are recorded (their names on PyPI).
LIBRARIES: tuple[str, ...] = ("numpy", "numba", "llvmlite", "scipy", "pandas", "pyarrow", "SALib",
                              "matplotlib", "mesa", "pydantic")


def utc_now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def utc_stamp(moment: datetime | None = None) -> str:
    """``20260102T030405Z``: the time stamp that starts every results folder's name."""
    return (moment or utc_now()).strftime("%Y%m%dT%H%M%SZ")


def relative(path: Path | str, start: Path | None = None) -> str:
    """A path relative to ``start`` (default: the working directory); never absolute."""
    return os.path.relpath(Path(path).resolve(), (start or Path.cwd()).resolve())


def command_line(argv: Sequence[str] | None = None) -> list[str]:
    """``sys.argv`` with the program reduced to ``alliance`` and absolute paths made
    relative to the working directory."""
    argv = list(sys.argv if argv is None else argv)
    out = ["alliance"]
    for arg in argv[1:]:
        if os.path.isabs(arg):
            out.append(relative(arg))
        elif "=" in arg and os.path.isabs(arg.split("=", 1)[1]):
            key, value = arg.split("=", 1)
            out.append(f"{key}={relative(value)}")
        else:
            out.append(arg)
    return out


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


_AT_START: dict[str, Any] = {}
_READING: list[Any] = []  # the thread of read_git_at_start, while it runs


def read_git_at_start() -> None:
    """Start reading the git state in a thread (``alliance``'s entry point, before any run):
    its three ``git`` processes then run while the command imports and computes;
    :func:`git_at_start` waits for it."""
    import threading

    if _AT_START or _READING:
        return
    thread = threading.Thread(target=lambda: _AT_START.update(git_state()), name="git-at-start", daemon=True)
    _READING.append(thread)
    thread.start()


def wait_git() -> None:
    """Wait for :func:`read_git_at_start`'s thread, if it runs (no git process outlives the
    command)."""
    if _READING:
        _READING.pop().join()


def git_at_start() -> dict[str, Any]:
    """The git state when the command started (read once per process, by ``alliance``'s
    entry point before any run): a record describes the code that ran, not the code found
    when it was written."""
    wait_git()
    if not _AT_START:
        _AT_START.update(git_state())
    return dict(_AT_START)


def git_state() -> dict[str, Any]:
    """``{"git_commit": hash or None, "git_dirty": bool or None, "git_diff_sha256": ...}``
    (None outside a git tree). With uncommitted changes, the SHA-256 of ``git diff HEAD``
    (tracked files) identifies them, so a dirty build can be matched to its changes."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    diff = _git("diff", "HEAD") if status else None
    import hashlib

    return {"git_commit": commit, "git_dirty": bool(status) if status is not None else None,
            "git_diff_sha256": hashlib.sha256(diff.encode()).hexdigest() if diff else None}


def version(dist: str) -> str | None:
    """The installed version of a distribution, or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Python's version and every library of :data:`LIBRARIES`."""
    return {"python": platform.python_version(), **{d: version(d) for d in LIBRARIES}}


def _git_fields() -> dict[str, Any]:
    """The start's git state, and whether the tree changed while the command ran."""
    start, end = git_at_start(), git_state()
    return {**start, "git_changed_during_run": start != end}


def record(*, started: datetime, seeds: Sequence[int], workers: int | str | None,
           ended: datetime | None = None, argv: Sequence[str] | None = None,
           **fields: Any) -> dict[str, Any]:
    """The provenance of one command.

    Parameters
    ----------
    started : datetime
        When the command started (UTC; see :func:`utc_now`).
    seeds : sequence of int
        Every seed the command ran (first seeds for a design: say so in ``fields``).
    workers : int, str or None
        Local processes, or the Dask scheduler's address.
    ended : datetime or None
        When it ended; default now.
    argv : sequence of str or None
        The command line; default ``sys.argv``.
    **fields
        What the command adds, after the common keys (``params`` is best given last).
    """
    ended = ended or utc_now()
    return {
        "schema": SCHEMA,
        "command": command_line(argv),
        "working_directory": ".",
        "package": "alliance-sim",
        "package_version": version("alliance-sim"),
        **_git_fields(),
        "versions": versions(),
        "platform": platform.platform(terse=True),
        "started_utc": started.isoformat(timespec="seconds"),
        "ended_utc": ended.isoformat(timespec="seconds"),
        "wall_seconds": round((ended - started).total_seconds(), 3),
        "workers": workers,
        "seeds": [int(s) for s in seeds],
        **fields,
    }
