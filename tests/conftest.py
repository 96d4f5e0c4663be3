import numpy as np
import pytest

from simulation import Params, run


def paired(base: dict, changed: dict, key: str, seeds: range, months: int = 120) -> np.ndarray:
    """Per-seed differences of one outcome, changed minus base, on common seeds."""
    diffs = []
    for s in seeds:
        p0 = Params().with_overrides({**base, "run.seed": s, "run.months": months})
        p1 = Params().with_overrides({**base, **changed, "run.seed": s, "run.months": months})
        diffs.append(run(p1, series=False)[0][key] - run(p0, series=False)[0][key])
    return np.asarray(diffs)


def interval(d: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of the mean."""
    from scipy import stats
    m = float(d.mean())
    half = float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else np.inf
    return m, m - half, m + half


@pytest.fixture(scope="session")
def baseline_summary():
    return run(Params(), series=True)
