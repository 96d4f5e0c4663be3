"""The difference-in-differences estimator on synthetic panels whose effect is known."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.report import did


def panel(n: int, years: int, effect: float, rng: np.random.Generator, share: float = 0.5,
          growth: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Unit and year fixed effects, a unit trend shared by all, noise sd 1, and ``effect``
    (plus ``growth`` per year since adoption) after a staggered adoption in years 2-4."""
    cohort = did.staggered_cohorts(n, share, 2, 3, rng)
    unit = rng.normal(0, 3, n)[:, None]
    year = rng.normal(0, 2, years)[None, :]
    y = unit + year + rng.normal(0, 1, (n, years))
    t = np.arange(years)[None, :]
    treated = (cohort[:, None] != did.NEVER) & (t >= cohort[:, None])
    y += treated * (effect + growth * (t - cohort[:, None]))
    return y, cohort


def test_recovers_a_known_constant_effect():
    rng = np.random.default_rng(1)
    y, cohort = panel(4000, 8, -0.5, rng)
    est = did.estimate(y, cohort)
    assert abs(est.att - -0.5) < 3 * est.se
    assert est.se < 0.05 and est.significant


def test_recovers_a_growing_effect_as_the_average_over_post_cells():
    rng = np.random.default_rng(2)
    years, growth = 8, 0.1
    y, cohort = panel(4000, years, 0.2, rng, growth=growth)
    cells = [(g, t) for g in (2, 3, 4) for t in range(g, years)]
    truth = np.mean([0.2 + growth * (t - g) for g, t in cells])  # equal cohorts: cells weigh alike
    est = did.estimate(y, cohort)
    assert abs(est.att - truth) < 3 * est.se


def test_size_is_about_five_percent_without_effect():
    rng = np.random.default_rng(3)
    rejections = [did.estimate(*panel(60, 7, 0.0, rng)).significant for _ in range(600)]
    rate = np.mean(rejections)
    assert 0.03 < rate < 0.08  # binomial sd at 600 draws is 0.009


def test_cohorts_after_the_panel_are_controls_and_cohort_zero_is_refused():
    rng = np.random.default_rng(4)
    y, cohort = panel(200, 4, 1.0, rng)  # cohort 4 adopts after the last year (3)
    est = did.estimate(y, cohort)
    assert est.controls == int(np.count_nonzero((cohort == did.NEVER) | (cohort >= 4)))
    with pytest.raises(ValueError, match="first year"):
        did.estimate(y, np.where(cohort == 2, 0, cohort))


def test_staggered_cohorts_share_and_years():
    cohort = did.staggered_cohorts(100, 0.3, 2, 3, np.random.default_rng(5))
    assert np.count_nonzero(cohort != did.NEVER) == 30
    assert sorted(set(cohort[cohort != did.NEVER])) == [2, 3, 4]
