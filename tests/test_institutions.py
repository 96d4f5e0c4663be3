"""Issue 9, item 6: power-sharing rules and funding regimes as institutions. A rule decides
who has a say on the path and the objective, who can veto, and when the decision falls; a
regime decides who ranks the applications, when, and what a dossier must tell them. Each
test measures, over 40 paired seeds, a difference between two rules or two regimes, and
that removing the mechanism that makes it (a ``mechanisms`` code switch) removes it, in the
sense of an equivalence test: the 90% interval of the remaining difference lies within
``MARGIN`` of the original one.
"""

import numpy as np
import pytest
from helpers import outcomes
from scipy import stats

pytestmark = pytest.mark.slow

SEEDS = range(40)
MARGIN = 0.25


def paired(base: dict, change: dict, key: str, level=0.95):
    """Mean per-seed difference of ``key`` (base+change minus base) and its interval."""
    a = outcomes(base, SEEDS)
    b = outcomes({**base, **change}, SEEDS)
    d = np.array([y[key] - x[key] for x, y in zip(a, b, strict=True)])
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean(), d.mean() - half, d.mean() + half


def vanishes(knocked, original):
    _, lo, hi = knocked
    bound = MARGIN * abs(original[0])
    return -bound <= lo and hi <= bound


OFF = {"mechanisms.deliberation": False}
