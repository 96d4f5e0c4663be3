"""compare for papers (per-scenario overrides, BH q-values, CSV/LaTeX export) and the
warnings on parameters without effect."""

from __future__ import annotations

import json

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
