"""Chaining the sensitivity stages: a design sized for a precision target, stage 2's levers
read from a stage-1 result, rankings across drawn factors (lever strengths), and the command
that re-runs the shipped specs and prints the answer.

Known answers: the noisy Ishigami function (analytic total indices, noise sd 1) for
``--precision``; an additive function (a4 inert) for ``--from``; ``morris_inert``, whose
factor a has slope 4 + 2c, for cells drawn over c.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from testmodels import ADDITIVE, ishigami_indices

from experiments.io.errors import InputError
from experiments.sensitivity import analysis
from experiments.sensitivity import command as sensitivity
from experiments.sensitivity.spec import load_spec

PI = math.pi


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def indices(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "indices.csv", keep_default_na=False, na_values=[""])


ISHIGAMI = f"""
method = "sobol"
model = "testmodels:ishigami_noisy"
outcomes = ["y"]
[factors]
x1 = [{-PI!r}, {PI!r}]
x2 = [{-PI!r}, {PI!r}]
x3 = [{-PI!r}, {PI!r}]
[sobol]
n = 4
scrambles = 8
[pilot]
points = 8
seeds = 8
[execution]
chunk_runs = 100000
"""


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_precision_chooses_n_and_r_from_a_pilot_and_reaches_the_target_on_ishigami(tmp_path):
    target = 0.06
    folder = sensitivity.run_experiment(write(tmp_path, "ish", ISHIGAMI), workers=1, out=tmp_path / "res",
                                        progress=False, precision=target)
    saved = json.loads((folder / "experiment.json").read_text())
    chosen = saved["chosen"]
    # Ishigami's variance (13.8) dwarfs the noise (1): one run per point is cheapest
    assert chosen["r"] == 1 and chosen["n"] >= 64 and chosen["half_width"] <= target
    design = pd.read_parquet(folder / "design.parquet")
    assert len(design) >= chosen["n"] * (3 + 1 + 2) * 8  # the chosen N on 8 scrambles (or more)
    seeds = pd.concat([design["seed"], pd.read_parquet(folder / "pilot.parquet")["seed"]])
    assert seeds.is_unique
    ind = indices(folder)
    st = ind[(ind["index"] == "ST") & ind["factor"].isin(["x1", "x2", "x3"])].set_index("factor")
    half = (st["ci_high"] - st["ci_low"]) / 2
    assert half.max() <= target * 1.15  # reached (scrambles are added if the run falls short)
    # the prediction is an upper bound up to the sampling error of a 2-degree... 7-degree jackknife
    assert saved["half_width_first"] <= chosen["half_width"] * 1.6
    for x, v in ishigami_indices()["ST"].items():
        assert st.loc[x, "ci_low"] - 0.02 <= v <= st.loc[x, "ci_high"] + 0.02, x
    text = (folder / "ranking.md").read_text()
    assert f"N = {chosen['n']}, R = 1" in text and "sizing pilot" in text and "pilote de dimensionnement" in text


def test_noise_makes_replications_cheaper_than_points_and_the_prediction_scales():
    # one factor with E[Df^2] = 1/6 and Var(Df^2) = 0.039 (x uniform on [0, 1], slope 1), var 1/12 + s2
    mom = {"m1": np.array([1 / 6, 0.0]), "m2": np.array([1 / 15, 0.0]), "var": 1 / 12, "rows": 10**6}

    def pick(s2: float) -> dict:
        m = {"m1": mom["m1"] + 2 * s2, "m2": mom["m2"] + 6 * (1 / 6) * 2 * s2 + 3 * (2 * s2) ** 2,
             "var": mom["var"] + s2, "rows": mom["rows"]}
        return analysis.size_for_precision({"y": m}, {"y": s2}, 0.05, 8, 4, 0.95, True, 1, 10**9)

    quiet, noisy = pick(0.0), pick(1.0)
    assert quiet["r"] == 1 and noisy["r"] > 4  # R* = sqrt(8 t^2 / Var(Df^2)), t = 2 s2
    assert noisy["runs"] > 10 * quiet["runs"]
    m = {"m1": mom["m1"], "m2": mom["m2"], "var": mom["var"], "rows": 1}
    h = [analysis.total_index_half_width(m, 0.0, n, 1, 8, 0.95, True)[0] for n in (64, 256)]
    assert h[0] / h[1] == pytest.approx(2.0)  # 1 / sqrt(N)


STAGE1 = """
method = "regression"
model = "testmodels:additive"
outcomes = ["y"]
[factors]
a1 = [0, 1]
a2 = [0, 1]
a3 = [0, 1]
a4 = [0, 1]
[regression]
points = 256
[pilot]
points = 2
seeds = 2
"""

STAGE2 = """
method = "sobol"
model = "testmodels:additive"
outcomes = ["y"]
[factors]
a1 = [0, 1]
a2 = [0, 1]
a3 = [0, 1]
a4 = [0, 1]
[sobol]
n = 16
scrambles = 3
retain_top = 2
retained = ["a4"]
[pilot]
points = 2
seeds = 2
"""


def test_stage_two_retains_the_levers_stage_one_detected_by_a_stated_rule(tmp_path):
    first = sensitivity.run_experiment(write(tmp_path, "s1", STAGE1), workers=1, out=tmp_path / "r1", progress=False)
    assert "--from THIS_FOLDER` retains the levers detected" in (first / "ranking.md").read_text()
    second = sensitivity.run_experiment(write(tmp_path, "s2", STAGE2), workers=1, out=tmp_path / "r2",
                                        progress=False, stage1=first)
    ind = indices(second)
    st = ind[ind["index"] == "ST"]
    # detected in stage 1: a3 (c = 3), a2 (2), a1 (1); a4 (0) is not; the first two are kept
    assert sorted(st["factor"]) == ["a2", "a3", "dummy", "other_factors"]
    assert json.loads((second / "experiment.json").read_text())["retained"] == ["a3", "a2"]
    text = (second / "ranking.md").read_text()
    assert "Retained levers (from stage 1" in text and "largest |SRC|" in text and "Leviers retenus" in text
    total = sum(c * c for c in ADDITIVE.values())
    rest = st.set_index("factor").loc["other_factors"]  # a1 and a4 together: 1 / 14
    assert rest["ci_low"] - 1e-9 <= ADDITIVE["a1"] ** 2 / total <= rest["ci_high"] + 1e-9
    # a hand list still works without --from
    hand = sensitivity.run_experiment(write(tmp_path, "s3", STAGE2), workers=1, out=tmp_path / "r3", progress=False)
    assert "listed in the spec" in (hand / "ranking.md").read_text()


def test_from_refuses_a_stage_one_of_another_model_or_method(tmp_path, monkeypatch):
    first = sensitivity.run_experiment(write(tmp_path, "s1", STAGE1), workers=1, out=tmp_path / "r1", progress=False)
    spec2 = write(tmp_path, "s2", STAGE2)
    with pytest.raises(InputError, match=r"--from .*expected a finished stage-1 results folder"):
        sensitivity.run_experiment(spec2, workers=1, out=tmp_path / "r2", progress=False, stage1=tmp_path)
    with pytest.raises(InputError, match=r"--from .*expected a spec with method = \"sobol\""):
        sensitivity.run_experiment(write(tmp_path, "s1b", STAGE1), workers=1, out=tmp_path / "r2", progress=False,
                                   stage1=first)
    monkeypatch.setattr(sensitivity, "model_fingerprint", lambda spec: "0123456789abcdef")
    with pytest.raises(InputError, match=r"--from .*expected stage 1 run on this model.*re-run stage 1"):
        sensitivity.run_experiment(spec2, workers=1, out=tmp_path / "r2", progress=False, stage1=first)


DRAWS = """
method = "regression"
model = "testmodels:morris_inert"
outcomes = ["y"]
[factors]
a = [0, 1]
b = [0, 1]
c = [0, 2]
""" + "".join(f"z{i:02d} = [0, 1]\n" for i in range(1, 5)) + """
[regression]
points = 128
draws = ["c"]
draw_cells = 4
[pilot]
points = 2
seeds = 2
"""


def test_cells_drawn_over_a_factor_rank_the_others_in_each_and_across(tmp_path):
    folder = sensitivity.run_experiment(write(tmp_path, "draws", DRAWS), workers=1, out=tmp_path / "r",
                                        progress=False)
    design = pd.read_parquet(folder / "design.parquet")
    cells = design.groupby("part")["c"].agg(["min", "max"])
    assert len(cells) == 4 and (cells["min"] == cells["max"]).all()  # c fixed within a cell
    c = np.sort(cells["min"].to_numpy())
    assert all(i / 2 <= v < (i + 1) / 2 for i, v in enumerate(c))  # a Latin hypercube over [0, 2]
    ind = indices(folder)
    a = ind[(ind["factor"] == "a") & (ind["index"] == "SRC")].set_index("part")["estimate"]
    # a's slope is 4 + 2c: SRC 0.82 at c = 0.25, 0.92 at c = 1.75 (sampling error about 0.03)
    low, high = cells["min"].idxmin(), cells["min"].idxmax()
    assert a[high] - a[low] > 0.05
    acr = pd.read_csv(folder / "rankings.csv")
    assert set(acr["family"]) == {"draws"}
    row = acr[acr["factor"] == "a"].iloc[0]
    assert row["rank_best"] == row["rank_worst"] == 1 and row["detected_cells"] == 4
    for z in ("z01", "z02", "z03", "z04", "dummy"):
        assert acr[acr["factor"] == z].iloc[0]["detected_cells"] <= 1, z
    het = acr.set_index("factor")["heterogeneous"]
    assert het["a"] and not het[["z01", "z02", "z03", "z04", "dummy"]].any()  # a's slope depends on c
    text = (folder / "ranking.md").read_text()
    assert "Effect differs between the drawn cells" in text and "`a` (τ = " in text
    assert "detected in every cell: `a`, `b`" in text and "cells where `c` are drawn within their ranges" in text


def test_lever_strengths_are_drawn_within_their_plausible_ranges():
    simulation = pytest.importorskip("simulation")
    from simulation.constants import BY_ID

    spec = load_spec(Path(__file__).resolve().parent.parent / "experiments" / "levers_structural.toml")
    drawn = spec.drawn
    assert len(drawn) == sum(len(v) for v in __import__("simulation.constants").constants.LEVER_ENDS.values())
    for f in drawn:
        c = BY_ID[f.path.removeprefix("constants.")]
        assert f.path.endswith("_with") and (f.low, f.high) == (c.low, c.high)
    assert not {f.name for f in drawn} & {f.name for f in spec.design_factors}
    parts = sensitivity.design_parts(spec)
    assert len(parts) == 20 + 8 and len(simulation.LEVER_IDS) + 1 == len(next(iter(parts.values()))[0]["names"])
    table = sensitivity.run_table(spec, parts, 1)
    draw = table[table["part"] == "draw 1"]
    assert draw["u_governance.rule"].isna().all()  # the base's rule in a strength cell
    assert draw[[f"u_{f.name}" for f in drawn]].nunique().max() == 1
    struct = table[table["part"] != "draw 1"]
    assert struct[[f"u_{f.name}" for f in drawn]].iloc[:512].isna().all().all()  # standard strengths there


def test_answer_runs_the_shipped_specs_in_order_and_prints_the_figures(tmp_path, monkeypatch):
    from experiments.sensitivity import answer

    specs = tmp_path / "specs"
    specs.mkdir()
    write(specs, "levers_regression", STAGE1.replace("[regression]", '[regression]\nemulator_below = 0.0'))
    write(specs, "levers_structural", DRAWS.replace("morris_inert", "additive").replace(
        "a = [0, 1]\nb = [0, 1]\nc = [0, 2]\n", "a1 = [0, 1]\na2 = [0, 1]\na3 = [0, 1]\na4 = [0, 2]\n").replace(
        'draws = ["c"]', 'draws = ["a4"]').replace("".join(f"z{i:02d} = [0, 1]\n" for i in range(1, 5)), ""))
    write(specs, "levers_sobol", STAGE2)
    monkeypatch.setattr(answer, "SPECS", specs)
    text = answer.answer(tmp_path / "out", workers=1, progress=False, outcome="y")
    assert "| total |" in text and "CPU" in text
    assert "## Stage 1: y" in text and "| 1 | 1–1 | `a3` |" in text
    assert "not detected at this sample size; the smallest effect this design detects is" in text  # a4
    assert "## Across rules x regimes and lever strengths: y" in text
    assert "## Stage 2: total Sobol' indices for y" in text and "`other_factors`" in text
    assert len(list((tmp_path / "out").glob("*-answer.md"))) == 1


def test_dry_run_with_precision_runs_only_the_pilots_and_says_what_it_would_choose(tmp_path, capsys):
    from experiments.cli import main

    path = write(tmp_path, "ish", ISHIGAMI)
    assert main(["sensitivity", str(path), "--dry-run", "--precision", "0.06", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "sizing pilot (32 base samples x 3 scrambles" in out and "R = 1" in out and "set by `x" in out


def test_heterogeneity_is_cochrans_q_with_the_dersimonian_laird_tau():
    se = np.full(4, 0.1)
    q, p, tau = analysis.heterogeneity(np.array([0.3, 0.3, 0.3, 0.3]), se)
    assert q == 0 and p == 1 and tau == 0
    q, p, tau = analysis.heterogeneity(np.array([0.0, 0.2, 0.4, 0.6]), se)
    # Q = sum((b - 0.3)^2) / 0.01 = 20 on 3 df; tau^2 = (20 - 3) / (400 - 100) = 17 / 300
    assert q == pytest.approx(20) and p == pytest.approx(1.7e-4, rel=0.05) and tau == pytest.approx(math.sqrt(17 / 300))
