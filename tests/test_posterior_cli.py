"""``alliance run|compare|sensitivity --posterior``: replications grouped by draw, the three
readings in summary.json and summary.md, the same result on 1 and 2 workers, bad input in
one line with no results folder left behind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main

RUN = ["--months", "12", "--quiet", "--figures", "none"]


def fake_posterior(folder: Path, selection_noise=(1.5, 0.2, 0.9)) -> Path:
    """Three particles (the middle one of weight 0) of two constants."""
    from simulation import Params

    folder.mkdir()
    (folder / "base_params.json").write_text(json.dumps(Params().model_dump()))
    (folder / "summary.json").write_text(json.dumps({"kind": "calibration", "model": "simulation", "parameters": [
        {"path": "funding.selection_noise", "kind": "float"}, {"path": "funding.budget_scale", "kind": "float"}]}))
    pd.DataFrame({"funding.selection_noise": list(selection_noise), "funding.budget_scale": [0.5, 1.0, 2.0],
                  "weight": [0.5, 0.0, 0.5]}).to_csv(folder / "posterior.csv", index=False)
    return folder


def only_folder(out: Path) -> Path:
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


@pytest.mark.slow
def test_run_groups_replications_by_draw_and_says_which_interval_is_which(tmp_path, capsys):
    post = fake_posterior(tmp_path / "post")
    assert main(["run", "baseline", "--reps", "12", "--seeds-per-draw", "3", "--posterior", str(post),
                 "--out", str(tmp_path / "one"), "--workers", "1", *RUN]) == 0
    text = capsys.readouterr().out
    assert "90% of draws" in text and "variance from the posterior" in text and "4 draws are few" in text
    folder = only_folder(tmp_path / "one")
    summary = json.loads((folder / "summary.json").read_text())
    note = summary["posterior"]
    assert note["draws"] == 4 and note["seeds_per_draw"] == 3 and set(note["draw_rows"]) <= {0, 2}
    import hashlib

    assert note["posterior_csv_sha256"] == hashlib.sha256((post / "posterior.csv").read_bytes()).hexdigest()
    assert "cluster-robust" in note["intervals"]["mean, ci95_low, ci95_high"]
    st = summary["outcomes"]["impact"]
    assert st["draws"] == 4 and st["df"] == 3 and st["share_draws"] == 4 and st["seeds_per_draw"] == 3
    assert st["one_run_low"] <= st["draws_low"] <= st["mean"] <= st["draws_high"] <= st["one_run_high"]
    reps = pd.read_csv(folder / "replications.csv")
    assert (reps["draw"] == np.arange(12) // 3).all()
    assert (reps.groupby("draw")["posterior_row"].nunique() == 1).all()
    assert (reps["posterior_row"][::3].to_numpy() == note["draw_rows"]).all()
    # the clustered interval is the one over draw means
    means = reps.groupby("draw")["impact"].mean()
    assert st["se"] == pytest.approx(means.std(ddof=1) / 2)
    md = (folder / "summary.md").read_text()
    assert "E[Y|theta]" in md and "cluster-robust" in md
    # the same seeds on two workers: the same draws and results
    assert main(["run", "baseline", "--reps", "12", "--seeds-per-draw", "3", "--posterior", str(post),
                 "--out", str(tmp_path / "two"), "--workers", "2", *RUN]) == 0
    two = only_folder(tmp_path / "two")
    pd.testing.assert_frame_equal(pd.read_csv(two / "replications.csv"), reps)
    assert json.loads((two / "summary.json").read_text())["outcomes"] == summary["outcomes"]


@pytest.mark.slow
def test_compare_is_paired_by_draw_and_seed(tmp_path, capsys):
    post = fake_posterior(tmp_path / "post")
    assert main(["compare", "baseline", "baseline:levers.dialogue=1", "--reps", "8", "--posterior", str(post),
                 "--out", str(tmp_path / "c"), "--workers", "1", *RUN]) == 0
    assert "paired by draw and seed" in capsys.readouterr().out
    folder = only_folder(tmp_path / "c")
    summary = json.loads((folder / "summary.json").read_text())
    lab = summary["scenarios"][1]
    reps = pd.read_csv(folder / "replications.csv")
    a, b = (reps[reps["scenario"] == s].reset_index(drop=True) for s in summary["scenarios"])
    assert (a["posterior_row"] == b["posterior_row"]).all() and (a["seed"] == b["seed"]).all()
    d = summary["differences"][lab]["engagement"]
    diff = (b["engagement"] - a["engagement"]).groupby(a["draw"]).mean()
    assert d["mean"] == pytest.approx(diff.mean()) and d["se"] == pytest.approx(diff.std(ddof=1) / 2)
    assert d["p_value"] is not None and "posterior_share" in d
    assert set(summary["posterior"]["variance_split_of_differences"]) == {lab}
    table = pd.read_csv(folder / "comparison.csv")
    assert {"draws_low", "one_run_high", "posterior_share"} <= set(table.columns)


def test_without_posterior_nothing_changes(tmp_path, capsys):
    assert main(["run", "baseline", "--reps", "2", "--out", str(tmp_path), "--workers", "1", *RUN]) == 0
    folder = only_folder(tmp_path)
    summary = json.loads((folder / "summary.json").read_text())
    assert "posterior" not in summary and not (folder / "summary.md").exists()
    assert summary["interval"].startswith("95% confidence interval of the mean over replications")
    assert "draw" not in pd.read_csv(folder / "replications.csv").columns


def _refused(capsys, argv, *needles):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    for needle in needles:
        assert needle in err[0], (needle, err[0])


def test_bad_designs_and_particles_are_one_line_and_leave_no_folder(tmp_path, capsys):
    post = fake_posterior(tmp_path / "post")
    out = tmp_path / "o"
    _refused(capsys, ["run", "baseline", "--reps", "5", "--posterior", str(post), "--out", str(out), *RUN],
             "--reps 5", "--seeds-per-draw", "found 2.5 draw(s)")
    _refused(capsys, ["run", "baseline", "--reps", "4", "--seeds-per-draw", "2", "--out", str(out), *RUN],
             "--seeds-per-draw 2", "expected with --posterior")
    bad = fake_posterior(tmp_path / "bad", selection_noise=(-3.0, 0.2, 0.9))
    _refused(capsys, ["run", "baseline", "--reps", "4", "--posterior", str(bad), "--out", str(out), *RUN],
             "posterior.csv line 2", "selection_noise", "-3")
    _refused(capsys, ["compare", "baseline", "subsidiarity", "--reps", "4", "--posterior", str(bad),
                      "--out", str(out), *RUN], "posterior.csv line 2", "selection_noise")
    spec = tmp_path / "s.toml"
    spec.write_text('method = "regression"\nbase = "defaults"\noutcomes = ["impact"]\n[factors]\n'
                    '"levers.dialogue" = [0.0, 1.0]\n[overrides]\n"run.months" = 12\n[regression]\npoints = 16\n')
    _refused(capsys, ["sensitivity", str(spec), "--posterior", str(bad), "--out", str(out), "--quiet"],
             "posterior.csv line 2", "selection_noise")
    assert not out.exists() or not any(out.iterdir())  # finding 12f: no folder, no .lock left


@pytest.mark.slow
def test_sensitivity_says_whether_the_ranking_depends_on_the_constants(tmp_path, capsys):
    """A small design under a posterior: the ranking is called marginal, the constants enter
    as covariates and strata (posterior_dependence.csv), and the report prints no 'nan%'."""
    post = fake_posterior(tmp_path / "post")
    spec = tmp_path / "s.toml"
    spec.write_text('method = "regression"\nbase = "defaults"\noutcomes = ["impact", "engagement"]\n[factors]\n'
                    '"levers.dialogue" = [0.0, 1.0]\n"levers.sharing" = [0.0, 1.0]\n'
                    '[overrides]\n"run.months" = 12\n[regression]\npoints = 24\n[pilot]\npoints = 2\nseeds = 2\n')
    assert main(["sensitivity", str(spec), "--posterior", str(post), "--out", str(tmp_path / "r"),
                 "--workers", "1", "--quiet"]) == 0
    folder = only_folder(tmp_path / "r")
    ranking = (folder / "ranking.md").read_text()
    assert "marginal over the posterior" in ranking and "Against the calibrated constants" in ranking
    assert "nan%" not in ranking
    dep = pd.read_csv(folder / "posterior_dependence.csv")
    assert set(dep["term"]) >= {"levers.dialogue", "funding.budget_scale", "funding.selection_noise"}
    assert (dep["r2_with_constants"] >= dep["r2_factors"] - 1e-12).all()
