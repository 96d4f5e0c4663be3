"""Paired-seed statistics for the model's stochastic claims.

Every comparison runs both arms on the same seeds (common random numbers) chosen in
advance, and reports the mean per-seed difference with its 95% Student-t interval.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from simulation import Params, run

SEEDS = range(40)


_RUNS: dict[tuple[str, int], dict[str, float]] = {}


def outcomes(overrides: dict, seeds=SEEDS) -> list[dict[str, float]]:
    """One summary per seed. Runs are deterministic, so each (overrides, seed) is run once per
    test process and shared between the tests that ask for it (an arm shared by two claims, a
    base reused by a knockout); each call gets fresh dicts. Only for the model as shipped: a
    test that patches the model's code must call ``simulation.run`` itself."""
    key = repr(sorted(overrides.items()))
    out = []
    for s in seeds:
        if (key, s) not in _RUNS:
            _RUNS[key, s] = run(Params().with_overrides({**overrides, "run.seed": s}), series=False)[0]
        out.append(dict(_RUNS[key, s]))
    return out


def interval(d, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and ``level`` Student-t interval; a NaN (an outcome undefined in that seed,
    simulation/outcomes.py) is left out, as experiments/io/results.py ``describe`` does."""
    d = np.asarray(d, dtype=float)
    d = d[~np.isnan(d)]
    m = float(d.mean())
    half = float(stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
    return m, m - half, m + half


def effect(base: dict, change: dict, key: str, seeds=SEEDS, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and ``level`` interval of ``key`` under base+change minus under base, paired by seed."""
    a = outcomes(base, seeds)
    b = outcomes({**base, **change}, seeds)
    return interval([y[key] - x[key] for x, y in zip(a, b, strict=True)], level)


def malformed(summary: dict[str, float]) -> dict[str, float]:
    """Outcomes that are neither finite nor NaN where the outcome may be undefined (nothing
    to average in the run: simulation/outcomes.py ``MAY_BE_UNDEFINED``)."""
    from simulation.outcomes import MAY_BE_UNDEFINED

    return {k: v for k, v in summary.items()
            if not (np.isfinite(v) or (np.isnan(v) and k in MAY_BE_UNDEFINED))}


#: A knocked-out effect keeps at most this share of the original effect's size.
MARGIN = 0.25


def vanishes(knocked, original, margin: float = MARGIN) -> bool:
    """Equivalence: the knocked-out effect's interval lies within +-margin * |original mean|."""
    _, lo, hi = knocked
    bound = margin * abs(original[0])
    return -bound <= lo and hi <= bound


REPO = Path(__file__).resolve().parent.parent


def alliance(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command through its real entry point, as a user runs it."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(REPO)) if p)
    return subprocess.run([sys.executable, "-m", "experiments.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
