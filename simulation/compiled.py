"""Keeps numba's on-disk cache of the compiled kernels in step with the source.

Numba keys each cached kernel on its own file only, so a kernel that calls a function from
another module (every month calls all submodels) would keep stale code after that module
changes. :func:`compile_kernels` first drops the cache when a hash of the package's sources
differs from the one stamped beside it, then compiles (or loads) every kernel.

The model itself never calls this: it knows nothing of files. Whoever runs it calls
:func:`compile_kernels` (or :func:`ensure_fresh_cache`) once per process before the first
run: the ``alliance`` command and its executors do, ``make compiled`` does before the
tests, and a notebook that edits a submodel should.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_fresh = False
_compiled = False


#: Modules that hold no compiled code and that no kernel imports: editing them keeps the cache
#: (tests/test_registries.py checks both).
PURE_PYTHON = ("__init__.py", "agents.py", "compiled.py", "engine.py", "initialise.py", "model.py",
               "summary.py", "territories.py")


def source_hash() -> str:
    """SHA-256 of the sources the kernels are compiled from (every module but
    :data:`PURE_PYTHON`)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE and path.name in PURE_PYTHON:
            continue
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
    _load_before_registries()


def _load_before_registries() -> None:
    """Let the kernels called from Python load from numba's cache before numba loads every
    typing and lowering registry (about 0.25 s of CPU a process: the cached machine code needs
    only the runtime); on a cache miss the registries load, then numba compiles as usual."""
    from numba.core.caching import FunctionCache
    from numba.core.runtime import rtsys

    from .kernel import run_months, step_month
    from .populate import fill_actors, neighbours

    class _CachedFirst(FunctionCache):
        def load_overload(self, sig, target_context):  # numba's, without its refresh() first
            rtsys.initialize(target_context)
            data = self._load_overload(sig, target_context)
            if data is None:
                target_context.refresh()
            return data

    for kernel in (run_months, step_month, fill_actors, neighbours):
        if type(kernel._cache) is FunctionCache:
            kernel._cache = _CachedFirst(kernel.py_func)


def compile_kernels() -> None:
    """Drop a stale cache, then compile (or load from the cache) both monthly kernels (the
    loop and the single month) with a two-month run; once per process."""
    global _compiled
    if _compiled:
        return
    ensure_fresh_cache()
    import numpy as np

    from .engine import Engine
    from .params import Params

    engine = Engine(Params.from_dict({"territories": {"count": 2}, "run": {"months": 2}}),
                    np.random.default_rng(0))
    engine.simulate(1)
    engine.step()
    _compiled = True

