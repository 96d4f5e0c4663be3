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


@pytest.mark.xfail(strict=True, reason=(
    "merged model (fea5875): runs without scaling 20% of the 30 seeds, 19% of 100, 16.5% of "
    "200, 13.3% of 600 (10.2 local successes a run), against at most 10%. Off, on 600 paired "
    "seeds: budget_vote 10.0% (-0.033 [-0.070, +0.004]), opposition_coalition 9.8% (-0.035 "
    "[-0.071, +0.001]), both 11.5% (-0.018 [-0.055, +0.018]); on 200: stop_on_evaluation "
    "16.5%, pooled_means 13%, sdg_common_frame 14% (merged 16.5%). adopt and recognise "
    "cannot reach the band within their ranges: recognise 8.0 (top) 12.0% of 200, adopt 1.0 "
    "and recognise 8.0 12.5%. docs/ODD.md 7.5, budget vote, 'A cost to the calibration'"))
def test_scaling_is_seen_in_most_runs(runs):
    """The scaling rate is a ratio of a few events per run at this scale (about 10 successes
    and 2-3 scalings): up to 10% of runs may see none (docs/ODD.md, known limitations;
    measured over 100 seeds: 9 before issue 9 item 6, 11 after). Split from the test above
    so that its other outcomes stay checked while this one fails (session 19)."""
    x = np.array([r["scaling_rate"] for r in runs])
    assert np.mean(x <= 0.0) <= 0.10
