"""Keeps numba's on-disk cache of the compiled kernels in step with the source.

Numba keys each cached kernel on its own file only, so a kernel that calls a function from
another module (every month calls all submodels) would keep stale code after that module
changes. Before the first run in a process, the cache is dropped when a hash of the
package's sources differs from the one stamped beside it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_fresh = False


def source_hash() -> str:
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_fresh_cache() -> None:
    """Drop numba cache files (``*.nbi``, ``*.nbc``) made from other sources; once per process."""
    global _fresh
    if _fresh:
        return
    stamp = PACKAGE / "__pycache__" / "kernels.stamp"
    digest = source_hash()
    try:
        current = stamp.read_text()
    except OSError:
        current = ""
    if current != digest:
        for pattern in ("*.nbi", "*.nbc"):
            for f in PACKAGE.rglob(pattern):
                f.unlink(missing_ok=True)
        try:
            stamp.parent.mkdir(exist_ok=True)
            stamp.write_text(digest)
        except OSError:
            pass  # a read-only install still runs, compiling in memory
    _fresh = True


def compile_kernels() -> None:
    """Compile (or load from the cache) every kernel with one short run."""
    from .run import run

    run({"territories": {"count": 2}, "run": {"months": 2}}, series=False)

