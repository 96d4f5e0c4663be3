"""A cache of model outputs keyed on parameters, seeds and code version.

Each block of runs (the tasks of one section: their full parameters, seeds included) is
stored under ``<folder>/<name>-<key>.pkl``, where the key is the SHA-256 of the tasks (as
canonical JSON), the function that runs them, and :func:`code_version`: the contents of
every source file of the model (``simulation/``) and the package versions that change its
numbers (numpy, numba, llvmlite). A changed parameter, seed, model source or library gives
another key, so a stale entry is never read: the block is recomputed. Analyses (statistics,
figures, tables) are always recomputed from the cached outputs; they are cheap.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

MODEL_ROOT = Path(__file__).resolve().parents[2] / "simulation"


def code_version(root: Path = MODEL_ROOT) -> str:
    """SHA-256 of the model's sources (relative path and bytes of every ``*.py``) and of
    the versions of the libraries its numbers depend on."""
    from experiments.io.provenance import version

    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    for dist in ("numpy", "numba", "llvmlite"):
        h.update(f"{dist}={version(dist)}".encode())
    return h.hexdigest()


class Cache:
    """Blocks of run outputs reused when the parameters, seeds and code are the same.

    ``hits`` and ``misses`` name the blocks read and computed by this instance.
    """

    def __init__(self, folder: Path, code: str | None = None):
        self.folder = folder
        self.code = code if code is not None else code_version()
        self.hits: list[str] = []
        self.misses: list[str] = []

    def key(self, fn: Callable, tasks: Sequence[Any]) -> str:
        blob = json.dumps({"fn": f"{fn.__module__}.{fn.__qualname__}", "tasks": list(tasks),
                           "code": self.code}, sort_keys=True, default=_plain)
        return hashlib.sha256(blob.encode()).hexdigest()[:24]

    def runs(self, name: str, fn: Callable, tasks: Sequence[Any], execute: Callable) -> list[Any]:
        """The outputs of ``fn`` over ``tasks``: read from the cache, or computed with
        ``execute(fn, tasks)`` and stored (written under a temporary name, then renamed)."""
        path = self.folder / f"{name}-{self.key(fn, tasks)}.pkl"
        if path.exists():
            self.hits.append(name)
            with path.open("rb") as f:
                return pickle.load(f)
        out = list(execute(fn, tasks))
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        self.misses.append(name)
        return out


def _plain(value: Any) -> Any:
    """JSON for what parameter dicts may hold besides plain types (tuples, numpy scalars)."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)
