"""The sensitivity pipeline on models with known answers, its noise handling, resume and errors.

Known answers run through exactly the path of ``alliance sensitivity`` (spec file, pilot,
design, executor, checkpoint files, SALib analysis, bootstrap, report): Ishigami for Sobol
(Saltelli et al. 2010), a function with inert factors for Morris (Morris 1991), and a linear
model with seeded noise for replications and the dummy factor (ten Broeke et al. 2016).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.io.errors import InputError, RunFailed
from experiments.sensitivity import command as sensitivity
from experiments.sensitivity.spec import load_spec
from experiments.testmodels import NOISY_SD, ishigami_indices, noisy_linear_indices

PI = math.pi
ISHIGAMI = """
description = "Ishigami through the pipeline"
method = "sobol"
model = "experiments.testmodels:ishigami"
outcomes = ["y"]
replications = 1
[factors]
x1 = [{lo}, {hi}]
x2 = [{lo}, {hi}]
x3 = {{ min = {lo}, max = {hi}, group = "third" }}
[sobol]
n = {n}
second_order = {second}
[bootstrap]
resamples = 200
[pilot]
points = 2
seeds = 2
[execution]
chunk_runs = {chunk}
"""


def ishigami_spec(tmp_path: Path, n: int = 1024, second: bool = False, chunk: int = 2000) -> Path:
    path = tmp_path / "ishigami.toml"
    path.write_text(ISHIGAMI.format(n=n, second=str(second).lower(), chunk=chunk, lo=repr(-PI),
                                     hi=repr(PI)))
    return path


def indices(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "indices.csv")


def pick(ind: pd.DataFrame, factor: str, index: str, part: str = "factors", outcome: str = "y") -> pd.Series:
    row = ind[(ind["outcome"] == outcome) & (ind["part"] == part) & (ind["factor"] == factor)
              & (ind["index"] == index) & (ind["factor2"].isna())]
    assert len(row) == 1, (factor, index, part)
    return row.iloc[0]


def test_ishigami_indices_lie_in_their_intervals(tmp_path):
    folder = sensitivity.run_experiment(ishigami_spec(tmp_path), workers=1, out=tmp_path / "res",
                                        progress=False)
    ind = indices(folder)
    truth = ishigami_indices()
    for kind in ("S1", "ST"):
        for x, value in truth[kind].items():
            row = pick(ind, x, kind)
            assert row["low"] <= value <= row["high"], (kind, x, row.to_dict(), value)
            assert row["high"] - row["low"] < 0.25
    # Ranking by total index: x1 > x2 > x3, then the dummy at exactly zero (deterministic model).
    st = ind[(ind["index"] == "ST") & (ind["part"] == "factors")].sort_values("rank")
    assert list(st["factor"]) == ["x1", "x2", "x3", "dummy"]
    assert pick(ind, "dummy", "ST")["estimate"] == 0
    # Closed group index of {x1, x2} is 1 - ST(x3); of {x3} alone, S1 = 0 and ST = ST(x3).
    assert pick(ind, "third", "ST", part="groups")["low"] <= truth["ST"]["x3"] <= pick(ind, "third", "ST", part="groups")["high"]
    grp = pick(ind, "structure", "S1", part="groups")
    assert grp["low"] <= 1 - truth["ST"]["x3"] <= grp["high"]
    for name in ("design.parquet", "indices.csv", "ranking.md", "figures/indices.png",
                 "figures/convergence.png", "convergence.csv", "provenance.json"):
        assert (folder / name).exists(), name


def test_ishigami_second_order_finds_the_x1_x3_interaction(tmp_path):
    folder = sensitivity.run_experiment(ishigami_spec(tmp_path, n=512, second=True), workers=1,
                                        out=tmp_path / "res", progress=False)
    ind = indices(folder)
    s2 = ind[ind["index"] == "S2"].set_index(["factor", "factor2"])
    truth_13 = ishigami_indices()["ST"]["x3"]  # x3 acts only through x1: S13 = ST(x3)
    assert s2.loc[("x1", "x3"), "low"] <= truth_13 <= s2.loc[("x1", "x3"), "high"]
    assert s2.loc[("x1", "x2"), "low"] <= 0 <= s2.loc[("x1", "x2"), "high"]
    assert (folder / "figures" / "sobol_s2.png").exists()
    report = (folder / "ranking.md").read_text()
    assert "| `x1` × `x3` | 0." in report and "] | yes |" in report
    assert report.count("] | yes |") == 1  # only the x1-x3 pair is called distinct


MORRIS = """
description = "inert factors"
method = "morris"
model = "experiments.testmodels:morris_inert"
outcomes = ["y"]
replications = 1
[factors]
a = [0, 1]
b = [0, 1]
c = [0, 1]
d = [0, 1]
e = [0, 1]
[morris]
trajectories = 30
levels = 4
[pilot]
points = 2
seeds = 2
"""


def test_morris_separates_inert_factors(tmp_path):
    spec = tmp_path / "morris.toml"
    spec.write_text(MORRIS)
    folder = sensitivity.run_experiment(spec, workers=1, out=tmp_path / "res", progress=False)
    ind = indices(folder)
    for inert in ("d", "e"):
        assert pick(ind, inert, "mu_star")["estimate"] == 0
        assert pick(ind, inert, "mu_star")["above_noise"] is False or not pick(ind, inert, "mu_star")["above_noise"]
    a = pick(ind, "a", "mu_star")
    assert 4.0 <= a["estimate"] <= 6.0  # slope 4 plus the a*c interaction (c mean ~0.5)
    for active in ("a", "b", "c"):
        assert pick(ind, active, "mu_star")["low"] > 0.3
    ranked = ind[ind["index"] == "mu_star"].sort_values("rank")["factor"].tolist()
    assert set(ranked[:3]) == {"a", "b", "c"} and ranked[0] == "a"
    assert pick(ind, "b", "sigma")["low"] > 0  # non-linear
    # Our bootstrap's point estimate is SALib's.
    assert pick(ind, "a", "mu_star")["estimate"] == pytest.approx(a["estimate"])


NOISY = """
description = "linear model plus seeded noise"
method = "sobol"
model = "experiments.testmodels:noisy_linear"
outcomes = ["y", "y2"]
replications = {reps}
first_seed = 0
[factors]
p = [0, 1]
q = [0, 1]
r = [0, 1]
[sobol]
n = 512
second_order = false
groups = false
[bootstrap]
resamples = 200
[pilot]
points = 8
seeds = 8
"""


def test_replications_and_dummy_recover_known_indices_of_a_noisy_model(tmp_path):
    reps = 4
    spec = tmp_path / "noisy.toml"
    spec.write_text(NOISY.format(reps=reps).replace("n = 512", "n = 256"))
    folder = sensitivity.run_experiment(spec, workers=1, out=tmp_path / "res", progress=False)
    ind = indices(folder)
    var_f = sum(c * c for c in (2.0, 1.0, 0.0)) / 12
    noise = NOISY_SD ** 2 / reps
    share = noise / (var_f + noise)  # the dummy's expected total index: the noise floor
    dummy = pick(ind, "dummy", "ST")
    # The dummy's estimate is the noise share; its interval leans upward (resampling the
    # replications adds seed noise), which makes the noise floor conservative.
    assert dummy["estimate"] == pytest.approx(share, abs=0.015)
    assert 0 < dummy["low"] <= dummy["estimate"] + 0.005 and share <= dummy["high"]
    for x, s in noisy_linear_indices().items():
        expected = s * (1 - share)
        row = pick(ind, x, "S1")
        assert row["low"] <= expected <= row["high"], (x, row.to_dict(), expected)
    assert bool(pick(ind, "p", "ST")["above_noise"]) and bool(pick(ind, "q", "ST")["above_noise"])
    assert not bool(pick(ind, "r", "ST")["above_noise"])  # r is indistinguishable from noise
    report = (folder / "ranking.md").read_text()
    assert "| noise |" in report and "| above |" in report
    design = pd.read_parquet(folder / "design.parquet")
    # Common random numbers: points with the same dummy value use the same seeds.
    per_block = design.groupby("u_dummy")["seed"].apply(lambda s: tuple(sorted(set(s))))
    assert all(len(v) == reps for v in per_block)


def test_auto_replications_follow_the_pilot(tmp_path):
    spec = tmp_path / "noisy.toml"
    spec.write_text(NOISY.format(reps='"auto"').replace("n = 512", "n = 64"))
    folder = sensitivity.run_experiment(spec, workers=1, out=tmp_path / "res", progress=False)
    prov = json.loads((folder / "provenance.json").read_text())
    pilot = prov["pilot"]["y"]
    # The pilot's seed variance estimates NOISY_SD**2 (9 points x 7 degrees of freedom).
    assert 0.6 * NOISY_SD ** 2 < pilot["seed_var"] < 1.5 * NOISY_SD ** 2
    # R is the smallest with s2 (1 - 0.1) / (0.1 v) < R, at least 2, for the worst outcome.
    needed = max(prov["pilot"][o]["replications_needed"] for o in ("y", "y2"))
    assert prov["replications"] == max(2, needed)
    assert needed == math.floor(pilot["seed_var"] * 0.9 / (0.1 * pilot["between_var"])) + 1
    # ... and the design itself confirms seed noise < 10% of the averaged output's variance.
    assert prov["design_noise"]["y"]["share"] < 0.10
    assert "chosen by the pilot" in (folder / "ranking.md").read_text()


def test_resume_recomputes_only_missing_chunks_and_gives_identical_results(tmp_path, monkeypatch):
    spec = ishigami_spec(tmp_path, n=128, chunk=100)
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


def test_a_non_finite_run_stops_the_experiment_naming_parameters_and_seed(tmp_path):
    spec = tmp_path / "failing.toml"
    spec.write_text('method = "morris"\nmodel = "experiments.testmodels:failing"\noutcomes = ["y"]\n'
                    'replications = 2\n[factors]\na = [0, 1]\nb = [0, 1]\n[pilot]\npoints = 1\nseeds = 2\n')
    with pytest.raises(RunFailed, match=r"non-finite.*seed \d+, varied parameters \{'a': 1\.0"):
        sensitivity.run_experiment(spec, workers=2, out=tmp_path / "res", progress=False)


# --------------------------------------------------------------------------------------
# Spec errors: file, key, expected, found, did-you-mean
# --------------------------------------------------------------------------------------

BASE = 'method = "morris"\nmodel = "experiments.testmodels:ishigami"\noutcomes = ["y"]\n[factors]\nx1 = [0, 1]\n'


@pytest.mark.parametrize(("text", "pattern"), [
    (BASE + "replicatons = 3\n", r"bad\.toml: unknown key 'replicatons' \(did you mean 'replications'\?\)"),
    (BASE.replace('"morris"', '"morriss"'), r"key 'method': expected one of morris, sobol; found 'morriss' \(did you mean 'morris'\?\)"),
    (BASE.replace('"morris"', '"sobol"') + "[sobol]\nn = 100\n", r"key 'sobol.n': expected a power of two >= 4 \(e.g. 64 or 128\).*found 100"),
    (BASE + "[morris]\nlevels = 5\n", r"key 'morris.levels': expected an even integer"),
    (BASE + "[morris]\ntrajectory = 5\n", r"unknown key 'morris.trajectory' \(did you mean 'trajectories'\?\)"),
    (BASE + 'x2 = { min = 1, max = 0 }\n', r"key 'factors.x2': expected min < max"),
    (BASE + 'x2 = { levels = ["a"] }\n', r"key 'factors.x2.levels': expected a list of at least two"),
    (BASE + 'x2 = { mni = 0, max = 1 }\n', r"key 'factors.x2': expected keys among .*found 'mni' \(did you mean 'min'\?\)"),
    (BASE + "dummy = [0, 1]\n", r"key 'factors.dummy': expected a name other than 'dummy'"),
    (BASE.replace("ishigami", "nothere"), r"key 'model': expected 'simulation' or an importable"),
    (BASE + 'replications = "many"\n', r"key 'replications': expected an integer >= 1 or \"auto\"; found 'many'"),
    (BASE + "[bootstrap]\nconfidence = 2\n", r"key 'bootstrap.confidence': expected a number in \[0.5, 1\); found 2"),
    ("method = 'morris'\n[factors\n", r"bad\.toml: malformed TOML"),
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
    path.write_text('method = "morris"\noutcomes = ["impact"]\n' + body)
    with pytest.raises(InputError, match=pattern):
        load_spec(path)


def test_unknown_outcome_gets_a_did_you_mean(tmp_path):
    _simulation_or_skip()
    path = tmp_path / "sim.toml"
    path.write_text('method = "morris"\noutcomes = ["impakt"]\nlevers = "all"\n')
    with pytest.raises(InputError, match=r"key 'outcomes'.*found 'impakt' \(did you mean 'impact'\?\)"):
        load_spec(path)


SHIPPED = sorted(p for p in (Path(__file__).resolve().parent.parent / "experiments").glob("*.toml")
                 if not p.stem.startswith("calibration"))  # calibration specs: test_calibration_abc.py


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_specs_validate_and_vary_every_lever(path):
    simulation = _simulation_or_skip()
    spec = load_spec(path)
    names = {f.name for f in spec.factors}
    assert set(simulation.LEVER_IDS) <= names
    assert spec.dummy
    parts = sensitivity.design_parts(spec)
    table = sensitivity.run_table(spec, parts, 2)
    assert table["run"].tolist() == list(range(len(table)))


def test_dry_run_prints_runs_and_duration(tmp_path, capsys):
    from experiments.cli import main

    path = ishigami_spec(tmp_path, n=64)
    assert main(["sensitivity", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "704 design points" in out and "replications 1: 710 runs, about" in out  # 64 (4 + 2) + 64 (3 + 2)


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
    spec = ishigami_spec(tmp_path, n=16)
    folder = sensitivity.run_experiment(spec, workers=1, out=tmp_path / "res", progress=False)
    monkeypatch.setattr(sensitivity, "model_fingerprint", lambda spec: "0123456789abcdef")
    with pytest.raises(InputError, match=r"--resume .*expected the model code that wrote the checkpoints.*"
                                         r"found 0123456789abcdef"):
        sensitivity.run_experiment(resume=folder, workers=1, progress=False)


def test_resume_needs_a_results_folder(tmp_path):
    with pytest.raises(InputError, match=r"--resume .*expected a sensitivity results folder"):
        sensitivity.run_experiment(resume=tmp_path, workers=1, progress=False)
