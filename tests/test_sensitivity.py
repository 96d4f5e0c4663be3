"""The sensitivity pipeline on models with known answers, its tests, seeds, resume and errors.

Known answers run through exactly the path of ``alliance sensitivity`` (spec file, pilot,
design, executor, checkpoint files, analysis, multiplicity correction, report): the Sobol
G-function and an additive function for Sobol' on independent scrambles, an additive and a
noisy linear function for the regression stage, Morris with 20 inert factors. The coverage
of the intervals over repeated runs and the power claim are in test_sensitivity_coverage.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from testmodels import ADDITIVE, INERT, NOISY_COEFS, NOISY_SD, g_indices, ishigami_indices

from experiments.io.errors import InputError, RunFailed
from experiments.sensitivity import analysis
from experiments.sensitivity import command as sensitivity
from experiments.sensitivity.spec import load_spec

PI = math.pi
REQUIRED = ["outcome", "factor", "index", "estimate", "ci_low", "ci_high", "p_adjusted", "detected"]


def run(tmp_path: Path, text: str, name: str = "spec", **kw) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return sensitivity.run_experiment(path, workers=kw.pop("workers", 1), out=tmp_path / f"res-{name}",
                                      progress=False, **kw)


def indices(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "indices.csv", keep_default_na=False, na_values=[""])


def pick(ind: pd.DataFrame, factor: str, index: str, outcome: str = "y", part: str | None = None) -> pd.Series:
    row = ind[(ind["outcome"] == outcome) & (ind["factor"] == factor) & (ind["index"] == index)
              & (ind["factor2"].isna()) & ((ind["part"] == part) if part else True)]
    assert len(row) == 1, (factor, index)
    return row.iloc[0]


G = """
description = "Sobol G-function"
method = "sobol"
model = "testmodels:g_function"
outcomes = ["y"]
[factors]
""" + "".join(f"g{i} = [0, 1]\n" for i in range(1, 7)) + """
[sobol]
n = 128
scrambles = 8
[pilot]
points = 2
seeds = 2
[execution]
chunk_runs = 20000
"""


def test_g_function_indices_lie_in_their_intervals_and_weak_factors_get_a_detectable_size(tmp_path):
    folder = run(tmp_path, G)
    ind = indices(folder)
    assert list(ind.columns[:8]) == REQUIRED
    truth = g_indices()
    covered = [pick(ind, x, k)["ci_low"] <= v <= pick(ind, x, k)["ci_high"]
               for k in ("S1", "ST") for x, v in truth[k].items()]
    assert sum(covered) >= 10, covered  # 12 intervals at 95% (measured coverage 0.90-1.0 per index)
    for x in truth["ST"]:
        row = pick(ind, x, "ST")
        assert row["ci_high"] - row["ci_low"] < 0.1
        assert bool(row["detected"]), x  # a deterministic model: even ST ~ 1e-4 is detected
    for x in ("g4", "g5", "g6"):  # first-order indices below 0.01: not detected, with a size
        row = pick(ind, x, "S1")
        assert not bool(row["detected"]) and 0 < row["mde"] < 0.05
    assert pick(ind, "dummy", "ST")["estimate"] == 0  # deterministic: no noise, nothing to remove
    report = (folder / "ranking.md").read_text()
    assert "| detected / détecté |" in report and "noise |" not in report


LINEAR = """
description = "additive linear function, regression"
method = "{method}"
model = "testmodels:{model}"
outcomes = ["y"]
[factors]
{factors}
[regression]
points = {n}
[sobol]
n = {n}
[pilot]
points = 8
seeds = 8
"""


def test_regression_recovers_the_standardised_coefficients_of_an_additive_function(tmp_path):
    text = LINEAR.format(method="regression", model="additive", n=1024,
                         factors="\n".join(f"{k} = [0, 1]" for k in ADDITIVE))
    ind = indices(run(tmp_path, text))
    norm = math.sqrt(sum(c * c for c in ADDITIVE.values()))
    for k, c in ADDITIVE.items():
        row = pick(ind, k, "SRC")
        # c sd(x) / sd(y); the design's chance correlations (about 1 / sqrt(n)) move sd(y)
        assert row["estimate"] == pytest.approx(c / norm, abs=0.03)
        assert bool(row["detected"]) == (c != 0)
    fit = pd.read_csv(next((tmp_path / "res-spec").iterdir()) / "fit.csv")
    assert fit["r2"].iloc[0] == pytest.approx(1.0) and fit["ceiling"].iloc[0] == pytest.approx(1.0)


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_sobol_recovers_the_indices_of_an_additive_function(tmp_path):
    text = LINEAR.format(method="sobol", model="additive", n=256,
                         factors="\n".join(f"{k} = [0, 1]" for k in ADDITIVE))
    ind = indices(run(tmp_path, text))
    total = sum(c * c for c in ADDITIVE.values())
    for k, c in ADDITIVE.items():
        for index in ("S1", "ST"):
            row = pick(ind, k, index)
            assert row["ci_low"] - 1e-9 <= c * c / total <= row["ci_high"] + 1e-9, (k, index, row.to_dict())


def test_regression_on_a_noisy_model_reaches_the_noise_ceiling_and_shares_by_group(tmp_path):
    factors = "p = { min = 0, max = 1, group = 'big' }\nq = { min = 0, max = 1, group = 'small' }\nr = [0, 1]"
    folder = run(tmp_path, LINEAR.format(method="regression", model="noisy_linear", n=1024, factors=factors))
    ind = indices(folder)
    fit = pd.read_csv(folder / "fit.csv").iloc[0]
    var_f = sum(c * c for c in NOISY_COEFS.values()) / 12
    ceiling = var_f / (var_f + NOISY_SD ** 2)
    assert fit["ceiling"] == pytest.approx(ceiling, abs=0.06)  # pilot: 8 x 7 degrees of freedom
    assert fit["r2"] == pytest.approx(ceiling, abs=0.03)  # the linear model is the truth
    assert bool(pick(ind, "p", "SRC")["detected"]) and bool(pick(ind, "q", "SRC")["detected"])
    assert not bool(pick(ind, "r", "SRC")["detected"]) and not bool(pick(ind, "dummy", "SRC")["detected"])
    big = pick(ind, "big", "group_share")  # 4 / 5 of the explained variance
    assert big["ci_low"] <= 0.8 <= big["ci_high"]
    assert "ST_emulator" not in set(ind["index"])  # the linear fit reaches the ceiling: no emulator
    report = (folder / "ranking.md").read_text()
    assert "| `r` | structure |" in report and "not detected at this sample size; the smallest effect this design detects is 0." in report
    assert "non détecté à cette taille d'échantillon ; le plus petit effet que ce plan détecte est 0," in report and "R² = 0." in report


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_a_poor_linear_fit_calls_a_gaussian_process_emulator_checked_on_held_out_runs(tmp_path):
    text = LINEAR.format(method="regression", model="ishigami", n=256,
                         factors="\n".join(f"x{i} = [{-PI!r}, {PI!r}]" for i in (1, 2, 3)))
    folder = run(tmp_path, text)
    fit = pd.read_csv(folder / "fit.csv").iloc[0]
    assert fit["r2_share_of_ceiling"] < 0.8  # Ishigami is far from linear
    assert fit["q2"] > 0.8 and fit["emulator_test"] == 52  # held-out 20%
    ind = indices(folder)
    truth = ishigami_indices()["ST"]
    st = {x: pick(ind, x, "ST_emulator")["estimate"] for x in truth}
    assert max(st, key=st.get) == "x1" and all(abs(st[x] - v) < 0.15 for x, v in truth.items())
    assert abs(pick(ind, "dummy", "ST_emulator")["estimate"]) < 0.05
    assert "Q² = 0." in (folder / "ranking.md").read_text()


MORRIS = """
description = "3 active and 20 inert factors"
method = "morris"
model = "testmodels:morris_inert"
outcomes = ["y"]
[factors]
a = [0, 1]
b = [0, 1]
c = [0, 1]
""" + "".join(f"{z} = [0, 1]\n" for z in INERT) + """
[morris]
trajectories = 40
levels = 4
[pilot]
points = 2
seeds = 2
"""


def test_morris_detects_the_active_factors_and_none_of_20_inert_ones(tmp_path):
    ind = indices(run(tmp_path, MORRIS))
    for active in ("a", "b", "c"):
        assert bool(pick(ind, active, "mu")["detected"]), active
    for inert in (*INERT, "dummy"):
        row = pick(ind, inert, "mu")
        assert not bool(row["detected"]), inert
    a = pick(ind, "a", "mu")
    assert a["ci_low"] <= 5.0 <= a["ci_high"]  # slope 4 + 2c, c uniform: mean 5
    star = ind[ind["index"] == "mu_star"].sort_values("rank")["factor"].tolist()
    assert star[0] == "a" and set(star[:3]) == {"a", "b", "c"}


def test_every_run_has_its_own_seed_and_categorical_levels_are_equally_likely():
    simulation = pytest.importorskip("simulation")
    spec = load_spec(Path(__file__).resolve().parent.parent / "experiments" / "levers_regression.toml")
    from experiments.sensitivity.runs import pilot_table

    pilot = pilot_table(spec)
    table = sensitivity.run_table(spec, sensitivity.design_parts(spec), 3, offset=len(pilot))
    seeds = np.concatenate([pilot["seed"].to_numpy(), table["seed"].to_numpy()])
    assert len(set(seeds)) == len(seeds)
    for f in spec.factors:
        if f.kind == "categorical":
            counts = pd.Series([f.value(u) for u in table[f"u_{f.name}"]]).value_counts()
            assert set(counts) == {len(table) // len(f.levels)}, (f.name, counts.to_dict())
    assert {f.group for f in spec.factors if f.path.startswith("levers.")} == {lv.group for lv in simulation.levers.LEVERS}


def test_holm_and_benjamini_hochberg_adjustments_match_hand_computation():
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.005])
    holm = analysis.adjust(p, "holm")
    # sorted: 0.005*4, 0.01*3, 0.03*2, 0.04*1 -> 0.02, 0.03, 0.06, 0.06 (monotone)
    assert np.allclose(holm[[4, 0, 2, 1]], [0.02, 0.03, 0.06, 0.06]) and np.isnan(holm[3])
    bh = analysis.adjust(p, "bh")
    assert np.allclose(bh[[4, 0, 2, 1]], [0.02, 0.02, 0.04, 0.04])
    # an effect of (z_{1-a/2m} + z_power) SE is detected with probability `power`
    se = 0.1
    d = analysis.detectable(np.array([se]), 1e6, 5, 0.05, 0.8)[0]
    from scipy import stats

    crit = stats.norm.ppf(1 - 0.05 / 10) * se
    assert stats.norm.sf((crit - d) / se) == pytest.approx(0.8, abs=1e-3)


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_precision_adds_scrambles_when_the_chosen_design_falls_short(tmp_path, monkeypatch):
    text = LINEAR.format(method="sobol", model="ishigami_noisy", n=32,
                         factors="\n".join(f"x{i} = [{-PI!r}, {PI!r}]" for i in (1, 2, 3)))
    text = text.replace("n = 32", "n = 32\nscrambles = 4\nmax_scrambles = 40")
    # a sizing that promises too much (N = 16): the measured half-width decides, scrambles are added
    monkeypatch.setattr(analysis, "size_for_precision", lambda *a, **k: {
        "n": 16, "r": 1, "runs": 16 * 6 * 4, "half_width": 0.01, "binding": ["y", 0]})
    folder = run(tmp_path, text, precision=0.08)
    saved = json.loads((folder / "experiment.json").read_text())
    assert saved["half_width_first"] > 0.08 and 4 < saved["scrambles"] <= 40, saved
    assert "independent scrambles were added" in (folder / "ranking.md").read_text(), saved
    ind = indices(folder)
    st = ind[(ind["index"] == "ST") & (ind["factor"] != "dummy")]
    assert ((st["ci_high"] - st["ci_low"]) / 2).max() < 0.08 * 1.25
    seeds = pd.read_parquet(folder / "design.parquet")["seed"]
    assert seeds.is_unique and len(set(pd.read_parquet(folder / "pilot.parquet")["seed"]) & set(seeds)) == 0


ISHIGAMI = """
method = "sobol"
model = "testmodels:ishigami_noisy"
outcomes = ["y"]
[factors]
x1 = [{lo}, {hi}]
x2 = [{lo}, {hi}]
x3 = [{lo}, {hi}]
[sobol]
n = {n}
scrambles = 3
[pilot]
points = 2
seeds = 2
[execution]
chunk_runs = {chunk}
"""


def ishigami_spec(tmp_path: Path, n: int = 32, chunk: int = 100) -> Path:
    path = tmp_path / "ishigami.toml"
    path.write_text(ISHIGAMI.format(n=n, chunk=chunk, lo=repr(-PI), hi=repr(PI)))
    return path


def test_resume_recomputes_only_missing_chunks_and_gives_identical_results(tmp_path, monkeypatch):
    spec = ishigami_spec(tmp_path, n=32, chunk=100)
    full = sensitivity.run_experiment(spec, workers=1, out=tmp_path / "full", progress=False)

    calls = {"n": 0}
    real = sensitivity.evaluate_runs

    def interrupted(chunk):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(chunk)

    monkeypatch.setattr(sensitivity, "evaluate_runs", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sensitivity.run_experiment(spec, workers=1, out=tmp_path / "cut", progress=False)
    (folder,) = list((tmp_path / "cut").iterdir())
    assert not (folder / "indices.csv").exists()
    kept = {p.name: p.stat().st_mtime_ns for p in (folder / "checkpoint").iterdir()}
    assert len(kept) == 4  # one pilot chunk and three design chunks were saved

    monkeypatch.setattr(sensitivity, "evaluate_runs", real)
    done = sensitivity.run_experiment(resume=folder, workers=1, progress=False)
    assert done == folder
    for name, mtime in kept.items():
        assert (folder / "checkpoint" / name).stat().st_mtime_ns == mtime  # not recomputed
    pd.testing.assert_frame_equal(indices(full), indices(folder))
    pd.testing.assert_frame_equal(pd.read_parquet(full / "design.parquet"),
                                  pd.read_parquet(folder / "design.parquet"))


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_a_non_finite_run_stops_the_experiment_naming_parameters_and_seed(tmp_path):
    spec = tmp_path / "failing.toml"
    spec.write_text('method = "morris"\nmodel = "testmodels:failing"\noutcomes = ["y"]\n'
                    'replications = 2\n[factors]\na = [0, 1]\nb = [0, 1]\n[pilot]\npoints = 1\nseeds = 2\n'
                    '[morris]\ntrajectories = 10\n')
    with pytest.raises(RunFailed, match=r"non-finite.*seed \d+, varied parameters \{'a': 1\.0"):
        sensitivity.run_experiment(spec, workers=2, out=tmp_path / "res", progress=False)


# --------------------------------------------------------------------------------------
# Spec errors: file, key, expected, found, did-you-mean
# --------------------------------------------------------------------------------------

BASE = 'method = "sobol"\nmodel = "testmodels:ishigami"\noutcomes = ["y"]\n[factors]\nx1 = [0, 1]\n'


@pytest.mark.parametrize(("text", "pattern"), [
    (BASE + "replicatons = 3\n", r"bad\.toml: unknown key 'replicatons' \(did you mean 'replications'\?\)"),
    (BASE.replace('"sobol"', '"sobool"'), r"key 'method': expected one of regression, sobol, morris; found 'sobool' \(did you mean 'sobol'\?\)"),
    (BASE + "[sobol]\nn = 100\n", r"key 'sobol.n': expected a power of two >= 4 \(e.g. 64 or 128\).*found 100"),
    (BASE + "[sobol]\nscrambles = 1\n", r"key 'sobol.scrambles': expected an integer >= 3"),
    (BASE + "[sobol]\nretained = [\"x2\"]\n", r"key 'sobol.retained': expected names of factors of this spec; found 'x2'"),
    (BASE + "[morris]\nlevels = 5\n", r"key 'morris.levels': expected an even integer"),
    (BASE + "[morris]\ntrajectory = 5\n", r"unknown key 'morris.trajectory' \(did you mean 'trajectories'\?\)"),
    (BASE + "[regression]\nby = [\"x1\"]\n", r"key 'regression.by': expected names of categorical factors"),
    (BASE + "[regression]\ndesign = \"grid\"\n", r"key 'regression.design': expected 'lhs'"),
    (BASE + "[statistics]\ncorrection = \"holmes\"\n", r"key 'statistics.correction'.*found 'holmes' \(did you mean 'holm'\?\)"),
    (BASE.replace('"sobol"', '"morris"') + 'x2 = { levels = ["a", "b"] }\n', r"key 'method': expected 'regression' for categorical factors"),
    (BASE + 'x2 = { min = 1, max = 0 }\n', r"key 'factors.x2': expected min < max"),
    (BASE + 'x2 = { levels = ["a"] }\n', r"key 'factors.x2.levels': expected a list of at least two"),
    (BASE + 'x2 = { mni = 0, max = 1 }\n', r"key 'factors.x2': expected keys among .*found 'mni' \(did you mean 'min'\?\)"),
    (BASE + "dummy = [0, 1]\n", r"key 'factors': expected names other than 'dummy'"),
    (BASE.replace("ishigami", "nothere"), r"key 'model': expected 'simulation' or an importable"),
    (BASE + 'replications = "many"\n', r"key 'replications': expected an integer from 1 to 10000; found 'many'"),
    (BASE + "[statistics]\nconfidence = 2\n", r"key 'statistics.confidence': expected a number in \[0.5, 1\); found 2"),
    ("method = 'sobol'\n[factors\n", r"bad\.toml: malformed TOML"),
])
def test_bad_specs_are_reported_with_file_key_expected_found(tmp_path, text, pattern):
    path = tmp_path / "bad.toml"
    path.write_text(text.replace("[factors]\nx1 = [0, 1]\n", "[factors]\nx1 = [0, 1]\n", 1))
    # Top-level keys placed after a table would belong to it: move them before [factors].
    head, sep, tail = text.partition("[factors]")
    lines = tail.splitlines()
    top = [ln for ln in lines if ln.startswith(("replicatons", "replications"))]
    rest = [ln for ln in lines if ln not in top]
    path.write_text(head + "\n".join(top) + "\n" + sep + "\n".join(rest) + "\n" if sep else text)
    with pytest.raises(InputError, match=pattern):
        load_spec(path)


def test_missing_spec_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"nope\.toml: cannot read the spec"):
        load_spec(tmp_path / "nope.toml")


def _simulation_or_skip():
    return pytest.importorskip("simulation")


@pytest.mark.parametrize(("body", "pattern"), [
    ('levers = ["principle"]\n', r"key 'levers': expected 'all', group names .*found 'principle' \(did you mean 'principles'\?\)"),
    ('levers = "all"\n[factors]\n"governance.rul" = { levels = ["equal", "subsidiarity"] }\n', r"unknown key 'governance.rul' \(did you mean 'rule'\?\)"),
    ('levers = "all"\n[factors]\n"governance.rule" = { levels = ["equal", "subsidarity"] }\n', r"governance.rule.*subsidarity"),
    ('levers = "all"\n[factors]\n"time.electoral_cycle_months" = [0, 96]\n', r"time.electoral_cycle_months.*expected a value >= 1"),
    ('levers = "all"\n[factors]\ndialogue = [0, 1]\n', r"each parameter varied once"),
    ('levers = "all"\n[overrides]\n"governance.rule" = "bottom_up"\n', r"governance.rule"),
])
def test_bad_simulation_factors_name_the_key(tmp_path, body, pattern):
    _simulation_or_skip()
    path = tmp_path / "sim.toml"
    path.write_text('method = "regression"\noutcomes = ["impact"]\n' + body)
    with pytest.raises(InputError, match=pattern):
        load_spec(path)


def test_unknown_outcome_gets_a_did_you_mean(tmp_path):
    _simulation_or_skip()
    path = tmp_path / "sim.toml"
    path.write_text('outcomes = ["impakt"]\nlevers = "all"\n')
    with pytest.raises(InputError, match=r"key 'outcomes'.*found 'impakt' \(did you mean 'impact'\?\)"):
        load_spec(path)


SHIPPED = sorted(p for p in (Path(__file__).resolve().parent.parent / "experiments").glob("*.toml")
                 if not p.stem.startswith(("calibration", "conditions")))  # test_calibration_abc.py, test_conditions.py


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_specs_validate_and_vary_every_lever(path):
    simulation = _simulation_or_skip()
    spec = load_spec(path)
    names = {f.name for f in spec.factors}
    assert set(simulation.LEVER_IDS) <= names
    assert spec.dummy
    assert {f.name: f.group for f in spec.factors if f.name in simulation.LEVER_IDS} == {
        lv.id: lv.group for lv in simulation.LEVERS}
    table = sensitivity.run_table(spec, sensitivity.design_parts(spec), 1)
    assert table["run"].tolist() == list(range(len(table)))


def test_dry_run_times_the_design_and_the_analysis(tmp_path, capsys):
    from experiments.cli import main

    path = ishigami_spec(tmp_path, n=16)
    assert main(["sensitivity", str(path), "--dry-run", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    # 3 scrambles x 16 x (4 + 2) rows + pilot (2 + 1) x 2
    assert "288 design points x 1 replication(s) + pilot 6 = 294 runs" in out
    assert "pool start" in out and "ms of CPU per run" in out and "analysis and report" in out and "load average" in out


def test_command_reports_a_bad_spec_in_one_line(tmp_path, capsys):
    from experiments.cli import main

    path = tmp_path / "bad.toml"
    path.write_text('method = "sobl"\n')
    assert main(["sensitivity", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'sobol'" in err and "Traceback" not in err


def test_categorical_and_integer_factors_map_the_unit_interval_uniformly():
    from experiments.sensitivity.spec import Factor

    rule = Factor("rule", "governance.rule", "categorical", levels=("a", "b", "c", "d", "e"))
    u = (np.arange(10_000) + 0.5) / 10_000
    counts = pd.Series([rule.value(x) for x in u]).value_counts()
    assert counts.to_dict() == dict.fromkeys("abcde", 2000)
    assert rule.value(1.0) == "e"
    cycle = Factor("c", "time.electoral_cycle_months", "int", 24, 27)
    assert pd.Series([cycle.value(x) for x in u]).value_counts().to_dict() == {24: 2500, 25: 2500, 26: 2500, 27: 2500}
    assert cycle.value(1.0) == 27


def test_resume_refuses_a_changed_model(tmp_path, monkeypatch):
    spec = ishigami_spec(tmp_path, n=4)
    folder = sensitivity.run_experiment(spec, workers=1, out=tmp_path / "res", progress=False)
    monkeypatch.setattr(sensitivity, "model_fingerprint", lambda spec: "0123456789abcdef")
    with pytest.raises(InputError, match=r"--resume .*expected the model code that wrote the checkpoints.*"
                                         r"found 0123456789abcdef"):
        sensitivity.run_experiment(resume=folder, workers=1, progress=False)


def test_resume_needs_a_results_folder(tmp_path):
    with pytest.raises(InputError, match=r"--resume .*expected a sensitivity results folder"):
        sensitivity.run_experiment(resume=tmp_path, workers=1, progress=False)
