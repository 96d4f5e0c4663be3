"""Repeated runs of the sensitivity pipeline: do its intervals cover, and does its power claim hold?

Each repetition is a whole experiment through ``run_experiment`` (spec file, pilot, design,
checkpoints, analysis) with its own design and seeds; what is checked is a frequency over
repetitions, against the known truth:

* Ishigami plus Gaussian noise (sd 1) at R = 1, 4 and 16 replications per point, Sobol' on 8
  independent scrambles: the 95% intervals of the noise-corrected S1 and ST of x1..x3 and of
  the noise part cover the truth in at least 90% of the intervals (pooled per R).
* Power: a factor whose true standardised effect equals the design's stated smallest
  detectable effect (80% power at the Bonferroni level) is detected in about 80% of runs.
  (The issue asked for "an effect of twice its standard error detected in 80% of runs": no
  5% test does that, since P(|Z + 2| > 1.96) = 0.52; the honest claim is the stated size.)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from testmodels import ISHIGAMI_NOISE_SD, ishigami_indices, ishigami_variance

from experiments.sensitivity import command as sensitivity

PI = math.pi

ISHIGAMI = f"""
method = "sobol"
model = "testmodels:ishigami_noisy"
outcomes = ["y"]
replications = {{reps}}
first_seed = {{first}}
design_seed = {{design}}
[factors]
x1 = [{-PI!r}, {PI!r}]
x2 = [{-PI!r}, {PI!r}]
x3 = [{-PI!r}, {PI!r}]
[sobol]
n = 32
scrambles = 8
[pilot]
points = 1
seeds = 2
[execution]
chunk_runs = 100000
"""


def _experiment(tmp_path: Path, text: str, i: int) -> pd.DataFrame:
    path = tmp_path / f"spec{i}.toml"
    path.write_text(text)
    folder = sensitivity.run_experiment(path, workers=1, out=tmp_path / f"res{i}", progress=False)
    return pd.read_csv(folder / "indices.csv")


@pytest.mark.slow
@pytest.mark.parametrize("reps", [1, 4, 16])
def test_noisy_ishigami_intervals_cover_the_true_indices_and_noise_share(tmp_path, reps):
    truth = ishigami_indices()
    noise = ISHIGAMI_NOISE_SD ** 2 / reps
    share = noise / (ishigami_variance() + noise)
    hits = []
    for i in range(10):
        text = ISHIGAMI.format(reps=reps, first=1 + 10 ** 7 * i, design=100 + i)
        ind = _experiment(tmp_path, text, i).set_index(["factor", "index"])
        for k in ("S1", "ST"):
            for x, v in truth[k].items():
                hits.append(ind.loc[(x, k), "ci_low"] <= v <= ind.loc[(x, k), "ci_high"])
        nz = ind.loc[("(seed noise)", "noise_part")]
        hits.append(nz["ci_low"] <= share <= nz["ci_high"])
    assert np.mean(hits) >= 0.90, (reps, np.mean(hits))


POWER = """
method = "regression"
model = "testmodels:linear_power"
outcomes = ["y"]
first_seed = {first}
design_seed = {design}
[factors]
x1 = [0, {width!r}]
x2 = [0, 1]
[regression]
points = {n}
emulator_below = 0.0
[pilot]
points = 1
seeds = 2
"""


@pytest.mark.slow
def test_an_effect_of_the_stated_detectable_size_is_detected_at_the_stated_power(tmp_path):
    n, tests, runs = 64, 3, 60  # x1, x2, dummy; one outcome
    # SRC of x1 in y = x1 + N(0, 1), x1 uniform on [0, w]: s / sqrt(1 + s^2), s = w / sqrt(12);
    # its standard error is about sqrt((1 - SRC^2) / (n - 4)).
    k = stats.t.ppf(1 - 0.05 / (2 * tests), n - 4) + stats.t.ppf(0.8, n - 4)
    src = k / math.sqrt(n - 4 + k * k)
    width = float(math.sqrt(12) * src / math.sqrt(1 - src * src))
    detected, mde = [], []
    for i in range(runs):
        text = POWER.format(first=1 + 10 ** 6 * i, design=500 + i, width=width, n=n)
        row = _experiment(tmp_path, text, i).set_index(["factor", "index"]).loc[("x1", "SRC")]
        detected.append(bool(row["detected"]))
        mde.append(row["mde"])
    assert np.mean(mde) == pytest.approx(src, rel=0.15)  # the stated size is the size tested
    # 80% expected; 60 runs give a binomial sd of 0.05
    assert np.mean(detected) >= 0.70, np.mean(detected)
