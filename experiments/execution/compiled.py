"""Keeps numba's on-disk cache of the compiled kernels in step with the source.

Numba keys each cached kernel on its own file only, so a kernel that calls a function from
another module (every month calls all submodels) would keep stale code after that module
changes. :func:`compile_kernels` first drops the cache when a hash of the package's sources
differs from the one stamped beside it, then compiles (or loads) every kernel.

The model itself never calls this: it knows nothing of files, so this module lives outside
``simulation/``. Whoever runs the model calls :func:`compile_kernels` (or
:func:`ensure_fresh_cache`) once per process before the first run: the ``alliance`` command
and its executors do, ``make compiled`` does before the tests, and a notebook that edits a
submodel should.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

#: The model's package (``simulation/``), found without importing it.
PACKAGE = Path(importlib.util.find_spec("simulation").origin).resolve().parent
_fresh = False
_compiled = False


#: Modules that hold no compiled code and that no kernel imports: editing them keeps the cache
#: (tests/test_registries.py checks both).
PURE_PYTHON = ("__init__.py", "agents.py", "engine.py", "initialise.py", "model.py",
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
    only the runtime), and without importing numba's modules for their environments (see
    :func:`_environment`); on a cache miss the registries load, then numba compiles as usual."""
    from numba.core import environment
    from numba.core.caching import FunctionCache
    from numba.core.runtime import rtsys

    from simulation.kernel import run_months, step_month
    from simulation.populate import fill_actors, neighbours

    class _CachedFirst(FunctionCache):
        def load_overload(self, sig, target_context):  # numba's, without its refresh() first
            rtsys.initialize(target_context)
            rebuild = environment._rebuild_env  # what pickle calls for each environment
            environment._rebuild_env = _environment
            try:
                data = self._load_overload(sig, target_context)
            finally:
                environment._rebuild_env = rebuild
            if data is None:
                target_context.refresh()
            return data

    for kernel in (run_months, step_month, fill_actors, neighbours):
        if type(kernel._cache) is FunctionCache:
            kernel._cache = _CachedFirst(kernel.py_func)


def _environment(modname: str | None, consts: list, env_name: str) -> object:
    """numba's ``environment._rebuild_env`` (numba 0.68), called by pickle for each of the
    about 170 compiled functions a cached kernel links in, except that a module of numba's own
    that is not imported yet is not imported for it.

    An environment holds the globals of the function's module and its constants; compiled
    code reads the globals only in object mode, which numba's own library functions never use
    (the constants are kept). Importing those modules (``numba.np.arrayobj``,
    ``numba.np.arraymath``, which imports scipy.linalg to look for a BLAS, ...) cost about
    0.4 s of CPU a process; the model's own modules are imported as numba does."""
    import importlib
    import sys

    from numba.core.environment import Environment, lookup_environment

    env = lookup_environment(env_name)
    if env is not None:
        return env
    module = sys.modules.get(modname) if modname else None
    if module is None and not (modname or "").startswith("numba."):
        module = importlib.import_module(modname)
    env = Environment(module.__dict__ if module is not None else {"__name__": modname})
    env.consts[:] = consts
    env.env_name = env_name
    Environment._memo[env_name] = env
    return env


def compile_kernels() -> None:
    """Drop a stale cache, then compile (or load from the cache) both monthly kernels (the
    loop and the single month) with a two-month run; once per process."""
    global _compiled
    if _compiled:
        return
    ensure_fresh_cache()
    import numpy as np

    from simulation.engine import Engine
    from simulation.params import Params

    engine = Engine(Params.from_dict({"territories": {"count": 2}, "run": {"months": 2}}),
                    np.random.default_rng(0))
    engine.simulate(1)
    engine.step()
    _compiled = True

