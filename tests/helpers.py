"""Paired-seed statistics for the model's stochastic claims.

Every comparison runs both arms on the same seeds (common random numbers) chosen in
advance, and reports the mean per-seed difference with its 95% Student-t interval.

Seed policy (docs/ODD.md 1.5), since review 9c finding 9 (seed counts grown after a failure,
claims that held on one seed block only):
- a test's seed count comes from a power calculation written in the test before it is run:
  the per-seed sd of the paired difference (from a pilot on other seeds, or the ODD), the
  effect or margin to detect, the power wanted; n = ((z_{1-a/2} + z_power) * sd / effect)^2.
  The seed count is not raised after a failure: a claim that fails on its planned seeds is
  reported as not shown (or as a strict xfail), not re-run on more seeds;
- tests use seeds below 1000 (``outcomes`` refuses others);
- the block 1000-1999 (``HELD_OUT``, experiments/report/sections.py) is reserved for the
  paper's figures (``alliance report`` draws from it) and is never used by a test.
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
TEST_SEEDS = range(1000)  # the seeds tests may use; the held-out block follows (module docstring)


def power_seeds(sd: float, effect: float, level: float = 0.95, power: float = 0.9) -> int:
    """Paired seeds needed to see a mean difference ``effect`` (or to keep an equivalence
    interval within a margin ``effect`` of a null) when the per-seed difference has
    standard deviation ``sd``: ``((z_{(1+level)/2} + z_power) * sd / effect) ** 2``, rounded up."""
    z = stats.norm.ppf(0.5 + level / 2) + stats.norm.ppf(power)
    return int(np.ceil((z * sd / abs(effect)) ** 2))


def checked_seeds(seeds) -> list[int]:
    """``seeds`` as a list, refusing any outside TEST_SEEDS (the held-out block is the paper's)."""
    seeds = list(seeds)
    outside = [s for s in seeds if s not in TEST_SEEDS]
    if outside:
        raise ValueError(f"seeds {outside[:3]}...: tests use seeds below {TEST_SEEDS.stop} "
                         "(1000-1999 are held out for the paper's figures, docs/ODD.md 1.5)")
    return seeds



_RUNS: dict[tuple[str, int], dict[str, float]] = {}


def outcomes(overrides: dict, seeds=SEEDS) -> list[dict[str, float]]:
    """One summary per seed. Runs are deterministic, so each (overrides, seed) is run once per
    test process and shared between the tests that ask for it (an arm shared by two claims, a
    base reused by a knockout); each call gets fresh dicts. Only for the model as shipped: a
    test that patches the model's code must call ``simulation.run`` itself."""
    key = repr(sorted(overrides.items()))
    out = []
    for s in checked_seeds(seeds):
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
