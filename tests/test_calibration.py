"""Pattern-oriented calibration (Grimm et al. 2005): with its defaults the model lands in the
bands of the calibration spec (experiments/calibration.toml, docs/ODD.md 1.3) for every target
the defaults are meant to reach: the fitted ones and the validation ones (the excluded ones
are not comparable: their channel is missing from the model), as means over 30 seeds with
their 95% intervals."""

from pathlib import Path

import numpy as np
import pytest
from helpers import interval, outcomes

from experiments.calibration.spec import load_calibration

pytestmark = pytest.mark.slow

SPEC = load_calibration(Path(__file__).resolve().parent.parent / "experiments" / "calibration.toml")
BANDS = {t.key: (t.low, t.high) for t in SPEC.targets if t.role != "excluded"}


@pytest.fixture(scope="module")
def runs():
    return outcomes({}, range(30))


@pytest.mark.parametrize("key", sorted(BANDS))
def test_baseline_lands_in_band(runs, key):
    low, high = BANDS[key]
    mean, lo, hi = interval([r[key] for r in runs])
    assert low <= lo and hi <= high, (key, mean, lo, hi)


def test_outcomes_do_not_sit_at_a_bound(runs):
    """Needs regenerate: fewer than 5% of baseline runs sit at an outcome's bound. The
    scaling rate has its own test below."""
    for key in ("impact", "alliance_survival", "engagement", "abandonment_rate",
                "application_success_rate", "admin_burden", "association_cooperation",
                "blocked_share", "trust_micro_macro", "local_successes"):
        x = np.array([r[key] for r in runs])
        share = key not in ("impact", "local_successes")
        at_bound = np.mean((x <= 0.0) | (share & (x >= 1.0)))
        assert at_bound < 0.05, key


def test_scaling_is_seen_in_most_runs(runs):
    """The scaling rate is a ratio of a few events per run at this scale (about 12 successes
    and 3 scalings): up to 10% of runs may see none (docs/ODD.md 12, known limitations). A
    strict expected failure in session 19 (13.3% of 600 seeds after the budget vote's stops);
    session 20's hazard that falls with the work done together (``work_cement``, review 9b
    finding 3b) keeps more alliances to their end (11.8 successes a run against 10.2) and
    brings it to 5.7% of 600 seeds (0 of these 30); see ODD 7.10 for each mechanism's part."""
    x = np.array([r["scaling_rate"] for r in runs])
    assert np.mean(x <= 0.0) <= 0.10
