"""The ``alliance`` command end to end, through its real entry point (a subprocess), with
every bad input of issue 3: one clear line naming file, key, expected and found, exit code
2, no traceback and no results folder left behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, alliance

from experiments.io import scenarios as scn
from simulation import LEVER_IDS, LEVERS, OUTCOME_KEYS


def ok_json(done: subprocess.CompletedProcess):
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def run_json(tmp_path: Path, *args: str) -> dict:
    """``alliance run ... --json`` for one year, in one process unless ``--workers`` is given
    (a process pool costs seconds to start; the executor's own tests cover it)."""
    workers = [] if "--workers" in args else ["--workers", "1"]
    return ok_json(alliance("run", *args, *workers, "--months", "12", "--json", "--quiet",
                            "--out", "out", cwd=tmp_path))


# --------------------------------------------------------------------------------------
# Listing commands
# --------------------------------------------------------------------------------------

def test_levers_json_is_the_registry(tmp_path):
    levers = ok_json(alliance("levers", "--json", cwd=tmp_path))
    assert [lv["id"] for lv in levers] == list(LEVER_IDS)
    first = levers[0]
    for key in ("group", "label_fr", "label_en", "charter", "mechanism", "submodel", "default"):
        assert first[key] != ""
    assert first["charter"] == LEVERS[0].charter


@pytest.mark.parametrize("lang, attr", [("fr", "label_fr"), ("en", "label_en")])
def test_levers_text_lists_every_lever_in_the_chosen_language(tmp_path, lang, attr):
    done = alliance("levers", "--lang", lang, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for lv in LEVERS:
        assert lv.id in done.stdout and getattr(lv, attr) in done.stdout
        assert lv.charter in done.stdout


def test_scenarios_lists_the_library(tmp_path):
    items = ok_json(alliance("scenarios", "--json", cwd=tmp_path))
    assert [i["name"] for i in items] == scn.library_names()
    text = alliance("scenarios", cwd=tmp_path).stdout
    for item in items:
        assert item["name"] in text and item["title"] in text


def test_validate_accepts_a_shipped_file_and_shows_what_differs(tmp_path):
    done = alliance("validate", str(REPO / "scenarios" / "macro_led.toml"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ")
    assert "governance.rule = 'macro_led'" in done.stdout


def test_installed_console_script_answers(tmp_path):
    script = Path(sys.executable).parent / "alliance"
    if not script.exists():
        pytest.skip("the package is not installed in this environment (make test installs it)")
    done = subprocess.run([str(script), "--help"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "run" in done.stdout and "compare" in done.stdout


# --------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------

def test_run_json_gives_every_outcome_with_interval_params_and_seeds(tmp_path):
    out = run_json(tmp_path, "baseline", "--reps", "2", "--seed", "5")
    assert out["seeds"] == [5, 6]
    assert list(out["outcomes"]) == list(OUTCOME_KEYS)
    for st in out["outcomes"].values():
        assert set(st) >= {"mean", "sd", "ci95_low", "ci95_high", "n"}
    assert out["params"]["run"] == {"seed": 5, "months": 12}
    assert (tmp_path / out["results_dir"] / "summary.json").is_file()


def test_set_overrides_reach_the_resolved_params(tmp_path):
    out = run_json(tmp_path, "baseline", "--set", "levers.dialogue=0.8",
                   "--set", "governance.rule=subsidiarity", "--set", "funding.regime=pooled_fund",
                   "--set", "time.electoral_cycle_months=48")
    p = out["params"]
    assert p["levers"]["dialogue"] == 0.8 and p["governance"]["rule"] == "subsidiarity"
    assert p["funding"]["regime"] == "pooled_fund" and p["time"]["electoral_cycle_months"] == 48


@pytest.mark.slow
def test_same_seed_same_result_whatever_the_workers(tmp_path):
    one = run_json(tmp_path, "baseline", "--reps", "3", "--workers", "1")
    two = run_json(tmp_path, "baseline", "--reps", "3", "--workers", "2")
    assert one["outcomes"] == two["outcomes"]
    assert one["results_dir"] != two["results_dir"]


def test_run_text_output_says_where_results_and_figures_are(tmp_path):
    done = alliance("run", "subsidiarity", "--months", "12", "--reps", "2", "--quiet", "--out", "out",
                    "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Results: out/" in done.stdout and "Figures: out/" in done.stdout
    assert "impact" in done.stdout and done.stderr == ""


def test_run_accepts_a_scenario_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('description = "mine"\nextends = "baseline"\n[levers]\nsharing = 0.6\n')
    out = run_json(tmp_path, str(path))
    assert out["scenario"] == "mine" and out["params"]["levers"]["sharing"] == 0.6


# --------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------

def test_compare_pairs_replications_over_common_seeds(tmp_path):
    twin = tmp_path / "twin.toml"
    twin.write_text('description = "same as baseline"\nextends = "baseline"\n')
    out = ok_json(alliance("compare", "baseline", str(twin), "subsidiarity", "--reps", "3",
                           "--months", "12", "--workers", "1", "--json", "--quiet", "--out", "out",
                           cwd=tmp_path))
    assert out["scenarios"] == ["baseline", "twin", "subsidiarity"]
    assert out["seeds"] == [0, 1, 2]
    # same parameters on the same seeds: every paired difference is exactly zero
    for st in out["differences"]["twin"].values():
        assert st["mean"] == 0 and st["ci95_low"] == 0 and st["ci95_high"] == 0
    assert set(out["differences"]) == {"twin", "subsidiarity"}
    folder = tmp_path / out["results_dir"]
    assert (folder / "figures" / "compare.png").stat().st_size > 5000
    assert (folder / "series.parquet").is_file() and (folder / "provenance.json").is_file()


def test_compare_text_table(tmp_path):
    done = alliance("compare", "baseline", "macro_led", "--reps", "2", "--months", "12", "--quiet",
                    "--workers", "1", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "macro_led - baseline" in done.stdout and "compare.png" in done.stdout


# --------------------------------------------------------------------------------------
# Bad input: one line, exit 2, nothing written
# --------------------------------------------------------------------------------------

def _files(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('description = "x"\n[levers\ndialogue = 0.5\n')
    (tmp_path / "typo.toml").write_text('extends = "baseline"\n[governance]\nrul = "equal"\n')
    (tmp_path / "terr.csv").write_text(
        "name,region,x,y,fragility,need_economic,need_social,need_environmental,social_capital,"
        "associations,firms\nA,0,0.1,0.1,0.5,0.5,0.5,0.5,0.5,3,1\nB,0,0.2,0.2,high,0.5,0.5,0.5,0.5,3,1\n")
    (tmp_path / "csv.toml").write_text('extends = "baseline"\n[territories]\nfile = "terr.csv"\n')
    (tmp_path / "blocker").write_text("a file, not a folder")


BAD_INPUTS = [
    (["run", "baselin"], [r"unknown scenario 'baselin'", "did you mean 'baseline'"]),
    (["run", "baseline", "--set", "governance.rul=equal"],
     ["--set: unknown key 'governance.rul'", "did you mean 'rule'"]),
    (["run", "baseline", "--set", "levers.dialog=0.8"],
     ["unknown key 'levers.dialog'", "did you mean 'dialogue'", "expected one of"]),
    (["run", "baseline", "--set", "levers.dialogue=1.5"],
     ["key 'levers.dialogue'", "expected a value <= 1", "found 1.5"]),
    (["run", "baseline", "--set", "levers.dialogue=high"], ["key 'levers.dialogue'", "found 'high'"]),
    (["run", "baseline", "--set", "governance.rule=subsidiarty"],
     ["key 'governance.rule'", "did you mean 'subsidiarity'", "found 'subsidiarty'"]),
    (["run", "baseline", "--set", "levers.dialogue"], ["expected KEY=VALUE"]),
    (["run", "bad.toml"], ["bad.toml: malformed TOML", "line 2"]),
    (["run", "typo.toml"], ["typo.toml: unknown key 'governance.rul'", "did you mean 'rule'"]),
    (["run", "csv.toml"], ["terr.csv, row 3, column 'fragility'", "expected a number from 0 to 1",
                           "found 'high'"]),
    (["run", "baseline", "--out", "blocker/results"], ["--out blocker/results: expected a writable folder"]),
    (["validate", "bad.toml"], ["bad.toml: malformed TOML"]),
    (["validate", "typo.toml"], ["did you mean 'rule'"]),
    (["compare", "baseline", "baseline"], ["given twice"]),
    (["compare", "baseline", "nope_scenario"], ["unknown scenario 'nope_scenario'"]),
    (["run", "baseline", "--reps", "0"], ["--reps", "expected a whole number >= 1; found 0"]),
    (["run", "baseline", "--seed", "-1"], ["--seed", "expected a whole number >= 0"]),
]


@pytest.mark.parametrize("args, needles", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, args, needles):
    _files(tmp_path)
    done = alliance(*_with_out(args), cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    err = done.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("alliance")
    for needle in needles:
        assert needle in err, err
    assert done.stdout == ""
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == [], "a results folder was left behind"


def _with_out(args: list[str]) -> list[str]:
    if args[0] in ("run", "compare") and "--out" not in args:
        return [*args, "--months", "12", "--out", "out", "--quiet"]
    return args


def test_failed_run_is_reported_without_traceback_or_folder(tmp_path):
    # a valid scenario whose runs cannot fit in the seed range: refused before any run
    done = alliance("run", "baseline", "--seed", str(2**63 - 1), "--reps", "2", "--months", "12",
                    "--out", "out", "--quiet", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--seed/--reps" in done.stderr
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_help_lists_every_command(tmp_path):
    done = alliance("--help", cwd=tmp_path)
    assert done.returncode == 0
    for command in ("run", "compare", "scenarios", "levers", "validate"):
        assert command in done.stdout

