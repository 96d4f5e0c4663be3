"""compare for papers (per-scenario overrides, BH q-values, CSV/LaTeX export) and the
warnings on parameters without effect."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from experiments import cli


@pytest.fixture
def call(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return invoke


def test_compare_with_per_scenario_overrides_fdr_and_exports(call, tmp_path):
    code, out, err = call("compare", "baseline", "baseline:levers.dialogue=1,levers.sharing=1", "--reps", "4",
                          "--months", "12", "--set", "territories.count=6", "--json", "--quiet",
                          "--figures", "none", "--out", "out")
    assert code == 0, err
    s = json.loads(out)
    label = "baseline[dialogue=1,sharing=1]"
    assert s["scenarios"] == ["baseline", label]
    assert s["overrides"][label] == {"levers.dialogue": 1, "levers.sharing": 1}
    assert s["params"][label]["levers"]["dialogue"] == 1 and s["params"]["baseline"]["levers"]["dialogue"] != 1
    folder = tmp_path / s["results_dir"]
    assert "baseline_dialogue_1_sharing_1_" in folder.name
    table = pd.read_csv(folder / "comparison.csv")
    assert set(table["outcome"]) == set(s["differences"][label]) and "unit" in table
    ps = table["p_value"].dropna().to_numpy()
    qs = table["q_value"].dropna().to_numpy()
    assert len(ps) > 0 and (qs >= ps - 1e-15).all() and (qs <= 1).all()  # BH never lowers a p-value
    assert r"\begin{tabular}" in (folder / "comparison.tex").read_text()
    d = s["differences"][label]["impact"]
    assert d["mean"] == pytest.approx(s["outcomes"][label]["impact"]["mean"] - s["outcomes"]["baseline"]["impact"]["mean"])


def test_compare_override_of_an_unknown_key_is_one_line(call):
    code, _, err = call("compare", "baseline", "baseline:levers.dialog=1", "--reps", "2", "--out", "out")
    assert code == 2 and "levers.dialog" in err and len(err.strip().splitlines()) <= 2


def test_validate_and_run_warn_about_a_parameter_without_effect(call, tmp_path):
    (tmp_path / "s.toml").write_text('description = "x"\nextends = "baseline"\n[governance]\n'
                                     'rule = "subsidiarity"\narranger_capacity = 3\n')
    code, out, _ = call("validate", "s.toml")
    assert code == 0 and "warning: governance.arranger_capacity = 3 has no effect under governance.rule = " \
                         "'subsidiarity'" in out
    code, _, err = call("run", "s.toml", "--months", "6", "--set", "territories.count=4", "--figures", "none",
                        "--out", "out")
    assert code == 0 and "alliance: warning: governance.arranger_capacity" in err
    (tmp_path / "ok.toml").write_text('description = "x"\nextends = "baseline"\n[governance]\n'
                                      'rule = "arranger"\narranger_capacity = 3\n')
    code, out, _ = call("validate", "ok.toml")
    assert code == 0 and "warning" not in out


def test_report_refuses_a_missing_sensitivity_folder_before_running(call, tmp_path):
    code, _, err = call("report", "--quick", "--sensitivity", "nowhere", "--out", "rep")
    assert code == 2 and "nowhere/indices.csv" in err and not (tmp_path / "rep").exists()


def test_experiment_design_refuses_a_treatment_that_is_not_levers(call, tmp_path):
    code, _, err = call("experiment-design", "--treatment", "pooled_fund", "--seeds", "1", "--years", "6",
                        "--out", "out")
    assert code == 2 and "levers only; found funding.regime" in err


@pytest.mark.slow  # three commands end to end
def test_run_compare_and_experiment_design_record_the_same_provenance_fields(call, tmp_path):
    from experiments.io.provenance import record, utc_now

    common = set(record(started=utc_now(), seeds=[0], workers=1))
    small = ["--months", "6", "--set", "territories.count=4", "--figures", "none", "--quiet", "--json"]
    folders = [json.loads(call("run", "baseline", "--out", "out", *small)[1])["results_dir"],
               json.loads(call("compare", "baseline", "macro_led", "--reps", "2", "--out", "out", *small)[1])["results_dir"]]
    code, out, err = call("experiment-design", "--quick", "--seeds", "4", "--years", "5", "--territories", "6",
                          "--draws", "10", "--quiet", "--out", "design", "--workers", "1")
    assert code == 0, err
    folders.append(str(next((tmp_path / "design").iterdir())))
    for folder in folders:
        prov = json.loads((tmp_path / folder / "provenance.json").read_text())
        assert common <= set(prov), folder
        assert prov["git_commit"] is None or len(prov["git_commit"]) == 40
        assert {"numba", "llvmlite", "scipy", "SALib", "matplotlib"} <= set(prov["versions"])
    summary = json.loads((tmp_path / folders[2] / "summary.json").read_text())
    assert summary["power"] and "Callaway" in summary["estimator"]


# --- undefined outcomes are NaN, not 0 (review 13, finding 2) ------------------------------

def test_an_outcome_with_nothing_to_average_is_nan_and_the_run_still_counts():
    """One month: no alliance has ended and nothing has succeeded, so survival and the
    scaling rate have nothing to average (NaN, not a made-up 0); the run is not a failure
    and an outcome that is always defined stays finite."""
    import math

    from experiments.execution.executor import run_model
    from simulation import Params
    from simulation.outcomes import BY_KEY, MAY_BE_UNDEFINED

    params = Params().with_overrides({"run.months": 1, "territories.count": 4, "run.seed": 3}).model_dump()
    summary = run_model({"params": params})["summary"]
    assert math.isnan(summary["alliance_survival"]) and math.isnan(summary["scaling_rate"])
    assert {"alliance_survival", "scaling_rate", "equity_gap"} <= MAY_BE_UNDEFINED
    assert BY_KEY["alliance_survival"].zero.startswith("undefined (NaN)")
    for key, value in summary.items():
        assert math.isfinite(value) or key in MAY_BE_UNDEFINED, key
    assert not BY_KEY["impact"].may_be_undefined and math.isfinite(summary["impact"])


def test_statistics_leave_undefined_runs_out_and_count_them():
    from experiments.io.results import describe, paired_differences

    nan = float("nan")
    d = describe([1.0, nan, 3.0])
    assert d["mean"] == 2.0 and d["n"] == 2 and d["undefined"] == 1 and d["ci95_low"] < 2 < d["ci95_high"]
    none = describe([nan, nan])
    assert none["mean"] is None and none["n"] == 0 and none["undefined"] == 2
    base = [{k: 1.0 for k in ("impact", "alliance_survival")} for _ in range(4)]
    other = [{"impact": 2.0 + i, "alliance_survival": (nan if i < 2 else 0.5 + i / 10)} for i in range(4)]
    from simulation.outcomes import OUTCOME_KEYS

    base = [{k: b.get(k, 0.0) for k in OUTCOME_KEYS} for b in base]
    other = [{k: o.get(k, 0.0) for k in OUTCOME_KEYS} for o in other]
    diffs = paired_differences(base, other)
    assert diffs["impact"]["n"] == 4 and diffs["alliance_survival"]["n"] == 2
    assert diffs["alliance_survival"]["undefined"] == 2
    assert diffs["alliance_survival"]["mean"] == pytest.approx(-0.25)  # only seeds where both are defined


def test_an_outcome_without_pairs_is_left_out_of_the_fdr_family():
    from experiments.report.sections import fdr, paired_p

    nan = float("nan")
    from experiments.io.results import describe

    undefined = describe([nan, nan, nan])
    tested = describe([0.1, 0.2, 0.15, 0.12])
    ps = [paired_p(undefined), paired_p(tested)]
    assert math.isnan(ps[0]) and 0 < ps[1] < 0.05
    qs = fdr(ps)
    assert math.isnan(qs[0]) and qs[1] == pytest.approx(ps[1])  # a family of one


def test_p_and_q_values_are_printed_down_to_a_thousandth():
    from experiments.report.outputs import display, latex, markdown

    table = pd.DataFrame({"scenario": ["charter_adopted"], "outcome": ["alliance_survival"],
                          "p_value": [1.3e-23], "q_value_bh": [float("nan")]})
    md = markdown(display(table))
    assert "< 0.001" in md and "1.3e-23" not in md and "n/a" in md
    assert "Charte adoptée librement / Charter adopted freely" in md and "Survie des alliances" in md
    assert "charter_adopted" not in md and "q (BH)" in md
    assert "$<$ 0.001" in latex(display(table), "c", "t")


def test_calibration_puts_a_run_with_an_undefined_pattern_at_infinite_distance():
    import numpy as np

    from experiments.calibration.smc import distances, mad_scales

    stats = np.array([[0.2, 0.5], [np.nan, 0.4], [0.3, 0.6], [0.25, 0.55]])
    observed = np.array([0.2, 0.5])
    scales = mad_scales(stats, observed, np.array([0.01, 0.01]))
    assert np.isfinite(scales).all()  # the undefined run does not spoil the scales
    d = distances(stats, observed, scales)
    assert d[1] == np.inf and np.isfinite(d[[0, 2, 3]]).all() and d[0] == 0


def test_sensitivity_regression_uses_the_points_where_an_outcome_is_defined_and_says_so(tmp_path, capsys):
    import numpy as np

    from experiments.sensitivity.report import analyse
    from experiments.sensitivity.runs import design_parts, run_table
    from experiments.sensitivity.spec import load_spec

    path = tmp_path / "s.toml"
    path.write_text('description = "d"\nmethod = "regression"\nmodel = "testmodels:additive"\n'
                    'outcomes = ["y"]\n[factors]\na = [0, 1]\nb = [0, 1]\n[regression]\npoints = 16\n'
                    '[pilot]\npoints = 2\nseeds = 2\n')
    spec = load_spec(path)
    parts = design_parts(spec)
    table = run_table(spec, parts, 1)
    y = np.arange(len(table), dtype=float)
    y[3] = np.nan  # e.g. survival in a run where no alliance ended
    ind, fit = analyse(spec, parts, table, pd.DataFrame({"y": y}), 1, {"y": {"seed_var": 0.1}})
    assert (ind["outcome"] == "y").any() and np.isfinite(ind["estimate"]).all()
    assert fit.iloc[0]["points"] == 15 and fit.iloc[0]["undefined"] == 1
    assert "'y' is undefined in 1 of 16 runs; regression on the points" in capsys.readouterr().err


def test_sensitivity_sobol_leaves_out_an_outcome_undefined_in_some_runs(tmp_path, capsys):
    import numpy as np

    from experiments.sensitivity.report import analyse
    from experiments.sensitivity.runs import design_parts, run_table
    from experiments.sensitivity.spec import load_spec

    path = tmp_path / "s.toml"
    path.write_text('description = "d"\nmethod = "sobol"\nmodel = "testmodels:additive"\n'
                    'outcomes = ["y"]\n[factors]\na = [0, 1]\nb = [0, 1]\n[sobol]\nn = 8\n'
                    '[pilot]\npoints = 2\nseeds = 2\n')
    spec = load_spec(path)
    parts = design_parts(spec)
    table = run_table(spec, parts, 1)
    y = np.arange(len(table), dtype=float)
    y[0] = np.nan
    ind, fit = analyse(spec, parts, table, pd.DataFrame({"y": y}), 1, {"y": {"seed_var": 0.1}})
    assert ind.empty or not (ind["outcome"] == "y").any()
    assert fit.iloc[0]["undefined"] == 1
    assert "not analysed" in capsys.readouterr().err


def test_provenance_records_the_git_state_at_the_start_and_says_when_it_changed(monkeypatch):
    from experiments.io import provenance

    monkeypatch.setattr(provenance, "_AT_START", {"git_commit": "0" * 40, "git_dirty": False, "git_diff_sha256": None})
    rec = provenance.record(started=provenance.utc_now(), seeds=[1], workers=1)
    assert rec["git_commit"] == "0" * 40 and rec["git_changed_during_run"] is True  # HEAD moved during the run
    monkeypatch.setattr(provenance, "_AT_START", {})
    rec = provenance.record(started=provenance.utc_now(), seeds=[1], workers=1)
    assert rec["git_changed_during_run"] is False
