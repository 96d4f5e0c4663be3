"""Known answers for the readings under ``--posterior`` (experiments/io/results.py): the
one-way random-effects split of the variance, its F interval, and the mean's interval with a
standard error clustered by draw; and the draw of particles (experiments/io/posterior_draws.py).

The toy: outcome = draw effect + seed noise, y_ij = mu + a_i + e_ij, a ~ N(0, s_a^2),
e ~ N(0, s_e^2), D draws of m seeds; the posterior share is s_a^2 / (s_a^2 + s_e^2)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.io import results as res
from experiments.io.errors import InputError
from experiments.io.posterior_draws import check_design, draw_of, pick


def toy(rng, d, m, sa, se, mu=3.0):
    y = mu + np.repeat(rng.normal(0, sa, d), m) + rng.normal(0, se, d * m)
    return y, draw_of(d * m, m)


@pytest.mark.parametrize("sa,se", [(1.0, 1.0), (2.0, 1.0), (0.5, 1.5), (0.0, 1.0)])
def test_shares_are_recovered_over_many_data_sets(sa, se):
    """400 data sets of 30 draws x 4 seeds: the mean estimated share within 0.03 of the truth
    (the moment estimator clipped at 0 is biased up a little when the truth is 0: margin
    0.05 there), and the 95% F interval covers it in 92-98% of sets (exact for normal
    effects; 400 sets give a Monte Carlo sd of 1.1 points)."""
    rng = np.random.default_rng(11)
    truth = sa ** 2 / (sa ** 2 + se ** 2)
    est, cover = [], []
    for _ in range(400):
        y, g = toy(rng, 30, 4, sa, se)
        c = res.variance_components(y, g)
        est.append(c["posterior_share"])
        cover.append(c["posterior_share_low"] <= truth <= c["posterior_share_high"])
        assert c["warning"] is None or "vary less than seed noise" in c["warning"]  # 1 in 40 at share 0
        assert c["draws"] == 30 and c["seeds_per_draw"] == 4
        assert abs(c["posterior_share"] + c["seed_share"] - 1) < 1e-12
    assert abs(np.mean(est) - truth) < (0.05 if truth == 0 else 0.03)
    if truth > 0:  # at 0 the interval's lower end is clipped at 0, so it always covers
        assert 0.92 <= np.mean(cover) <= 0.98, np.mean(cover)


def test_variances_are_the_moment_estimates_on_one_known_table():
    """Two draws of two seeds: (1, 3) and (5, 7). Within variance 2; draw means 2 and 6,
    MSB = 2 * 8 = 16, posterior variance (16 - 2) / 2 = 7, share 7 / 9."""
    c = res.variance_components([1, 3, 5, 7], [0, 0, 1, 1])
    assert c["seed_var"] == pytest.approx(2) and c["posterior_var"] == pytest.approx(7)
    assert c["posterior_share"] == pytest.approx(7 / 9)
    assert "rests on 2 draws" in c["warning"]  # too few draws: said


def test_clustered_interval_covers_and_the_naive_one_does_not():
    """20 draws x 4 seeds, posterior share 0.8: the replications are far from independent
    (design effect 1 + 3 x 0.8 = 3.4). The clustered 95% interval covers the true mean in
    93-97% of 1,000 data sets; the interval that treats replications as independent
    (:func:`describe`) covers it in under 85% (about 72% expected)."""
    rng = np.random.default_rng(12)
    clustered, naive = [], []
    for _ in range(1000):
        y, g = toy(rng, 20, 4, 1.0, 0.5)
        c, d = res.clustered(y, g), res.describe(y)
        clustered.append(c["ci95_low"] <= 3.0 <= c["ci95_high"])
        naive.append(d["ci95_low"] <= 3.0 <= d["ci95_high"])
    assert 0.93 <= np.mean(clustered) <= 0.97, np.mean(clustered)
    assert np.mean(naive) < 0.85, np.mean(naive)


def test_clustered_se_is_the_sd_of_draw_means_when_draws_are_equal():
    rng = np.random.default_rng(13)
    y, g = toy(rng, 7, 3, 1.0, 1.0)
    c = res.clustered(y, g)
    means = y.reshape(7, 3).mean(axis=1)
    assert c["se"] == pytest.approx(means.std(ddof=1) / np.sqrt(7))
    assert c["draws"] == 7 and c["df"] == 6 and c["n"] == 21


def test_undefined_runs_are_left_out_and_counted():
    y = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, 9.0])
    g = draw_of(8, 2)
    r = res.posterior_readings(y, g)
    assert r["n"] == 7 and r["undefined"] == 1 and r["draws"] == 4
    assert r["share_draws"] == 3 and "1 draw(s) left out" in r["warning"]
    assert r["draws_low"] <= r["draws_high"] and r["one_run_low"] <= r["one_run_high"]


def test_spread_intervals_do_not_shrink_with_more_draws_but_the_mean_does():
    rng = np.random.default_rng(14)
    small = res.posterior_readings(*toy(rng, 20, 2, 1.0, 0.3))
    large = res.posterior_readings(*toy(rng, 2000, 2, 1.0, 0.3))
    width = lambda r, lo, hi: r[hi] - r[lo]  # noqa: E731
    assert width(large, "ci95_low", "ci95_high") < width(small, "ci95_low", "ci95_high") / 5
    # E[Y|theta] has sd 1: its 90% interval is 3.29 wide; the raw draw means also hold the noise
    # of a 2-seed mean (sd 0.3 / sqrt 2): 3.29 x sqrt(1.045) = 3.36
    assert 3.1 < width(large, "draws_estimate_low", "draws_estimate_high") < 3.45
    assert width(large, "draws_estimate_low", "draws_estimate_high") <= width(large, "draws_low", "draws_high") < 3.6
    assert width(large, "draw_means_low", "draw_means_high") >= width(large, "draws_low", "draws_high")
    assert width(large, "one_run_low", "one_run_high") > width(large, "draws_low", "draws_high")


def test_the_interval_of_expected_outcomes_removes_the_seed_noise_of_draw_means():
    """Seed noise dominates (s_a = 0.5, s_e = 2, 2 seeds): the raw draw means spread with sd
    sqrt(0.25 + 2) = 1.5, E[Y|theta] with sd 0.5 (90% width 1.64); the shrunk interval finds
    it within 20% over 2,000 draws; with no posterior effect at all, it is the mean alone."""
    rng = np.random.default_rng(15)
    r = res.posterior_readings(*toy(rng, 2000, 2, 0.5, 2.0))
    assert r["draws_estimate_high"] - r["draws_estimate_low"] == pytest.approx(1.645 * 2 * 0.5, rel=0.2)
    assert r["draw_means_high"] - r["draw_means_low"] == pytest.approx(1.645 * 2 * 1.5, rel=0.1)
    flat = res.posterior_readings([1.0, 3.0, 3.0, 1.0, 2.0, 2.0], draw_of(6, 2))  # draw means all 2
    assert flat["posterior_share"] == 0 and flat["draws_low"] == flat["draws_high"] == 2.0


def test_no_seed_noise_puts_everything_on_the_posterior():
    c = res.variance_components([1, 1, 2, 2, 4, 4], draw_of(6, 2))
    assert c["posterior_share"] == 1.0 and c["posterior_share_low"] is None


def test_pick_draws_by_weight_and_by_seed_only():
    w = np.array([0.5, 0.0, 0.3, 0.2])
    rows = pick(w, range(20_000))
    assert 1 not in rows
    freq = np.bincount(rows, minlength=4) / len(rows)
    assert np.abs(freq - w).max() < 0.015  # binomial sd <= 0.0036
    assert (pick(w, [5, 9, 5]) == pick(w, [5, 9, 5])).all() and pick(w, [5])[0] == rows[5]


@pytest.mark.parametrize("reps,m", [(3, 2), (2, 2), (8, 3), (1, 1)])
def test_a_design_of_partial_or_single_draws_is_refused(reps, m):
    with pytest.raises(InputError, match="--seeds-per-draw"):
        check_design(reps, m)
    assert check_design(6, 3) == 2


@pytest.mark.parametrize("d,se,least", [(20, 0.5, 0.88), (20, 2.0, 0.88), (50, 2.0, 0.9), (10, 0.5, 0.78)])
def test_the_interval_of_expected_outcomes_keeps_its_content_on_few_draws(d, se, least):
    """Review 11b finding 6: the plug-in 5-95% quantiles of 10-20 draw means held 70-78% of
    E[Y|theta]'s distribution. The order statistics (expected content >= 90% from 19 draws,
    9/11 = 82% for 10), on draw means shrunk at the share's 95% upper bound, hold at least
    ``least`` on average over 300 data sets (s_a = 1), even when seed noise dominates."""
    from scipy.stats import norm

    rng = np.random.default_rng(16)
    content = []
    for _ in range(300):
        r = res.posterior_readings(*toy(rng, d, 2, 1.0, se, mu=0.0))
        content.append(norm.cdf(r["draws_high"]) - norm.cdf(r["draws_low"]))
        assert r["draws_content"] == pytest.approx((d + 1 - 2 * max(1, int(0.05 * (d + 1)))) / (d + 1))
    assert np.mean(content) >= least, np.mean(content)


def test_one_seed_per_draw_gives_the_mean_and_the_one_run_interval_only():
    rng = np.random.default_rng(17)
    r = res.posterior_readings(*toy(rng, 30, 1, 1.0, 1.0))
    assert r["se"] is not None and r["one_run_low"] is not None
    assert r["posterior_share"] is None and r["draws_low"] is None and "not estimable" in r["warning"]


def test_draw_means_varying_less_than_seed_noise_are_called_a_misfit():
    c = res.variance_components([0.0, 4.0, 4.0, 0.0, 0.0, 4.0, 4.0, 0.0, 2.0, 2.1], draw_of(10, 2))
    assert c["misfit"] and "does not fit" in c["warning"] and c["f_ratio"] < 0.1
