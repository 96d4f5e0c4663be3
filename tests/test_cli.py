"""The ``alliance`` command through ``main(argv)`` in this process (milliseconds a call), with
every bad input of issue 3: one clear line naming file, key, expected and found, exit code
2, no traceback and no results folder left behind. A few smoke tests run the real entry
point in a subprocess: the console script, imports that listing commands must not pay, one
bad input and one run."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, alliance

from experiments import cli
from experiments.io import scenarios as scn
from simulation import LEVER_IDS, LEVERS, OUTCOME_KEYS


@pytest.fixture
def call(tmp_path, monkeypatch, capsys):
    """``call(*args) -> (exit code, stdout, stderr)`` of ``alliance ARGS`` run in ``tmp_path``
    (argparse's usage errors and ``--help`` exit through SystemExit, as in the console)."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def ok_json(result: tuple[int, str, str]):
    code, out, err = result
    assert code == 0, err
    return json.loads(out)


def run_json(call, *args: str) -> dict:
    """``alliance run ... --json`` for one year, without figures unless asked for."""
    figures = [] if "--figures" in args else ["--figures", "none"]
    return ok_json(call("run", *args, *figures, "--months", "12", "--json", "--quiet", "--out", "out"))


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every subcommand of the real parser, plugins imported."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


# --------------------------------------------------------------------------------------
# Listing commands
# --------------------------------------------------------------------------------------

def test_levers_json_is_the_registry(call):
    levers = ok_json(call("levers", "--json"))
    assert [lv["id"] for lv in levers] == list(LEVER_IDS)
    for given, lever in zip(levers, LEVERS, strict=True):
        assert (given["group"], given["label_fr"], given["label_en"], given["charter"], given["submodel"],
                given["default"]) == (lever.group, lever.label_fr, lever.label_en, lever.charter,
                                      lever.submodel, lever.default)
        assert given["parameter"] == f"levers.{lever.id}"


@pytest.mark.parametrize("lang, attr", [("fr", "label_fr"), ("en", "label_en")])
def test_levers_text_lists_every_lever_in_the_chosen_language(call, lang, attr):
    code, out, err = call("levers", "--lang", lang)
    assert code == 0, err
    for lv in LEVERS:
        assert lv.id in out and getattr(lv, attr) in out
        assert lv.charter in out
    other = "label_en" if attr == "label_fr" else "label_fr"
    assert any(getattr(lv, other) not in out for lv in LEVERS)


def test_scenarios_lists_the_library(call):
    items = ok_json(call("scenarios", "--json"))
    assert [i["name"] for i in items] == scn.library_names()
    _, text, _ = call("scenarios")
    for item in items:
        assert item["name"] in text and item["title"] in text


def test_validate_accepts_a_shipped_file_and_shows_what_differs(call):
    code, out, err = call("validate", str(REPO / "scenarios" / "macro_led.toml"))
    assert code == 0, err
    assert out.startswith("ok: ")
    assert "governance.rule = 'macro_led'" in out


def test_help_lists_every_command_with_its_help_line(call):
    code, out, _ = call("--help")
    assert code == 0
    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for action in sub._choices_actions:
        assert action.dest in out and action.help.split()[0] in out


def test_plugins_are_listed_from_their_source_as_they_register(tmp_path):
    """The placeholder a plugin gets without being imported has the name and help line its
    own ``register`` gives: ``alliance --help`` says what the plugin would."""
    for module in cli.PLUGINS:
        declared = cli._declared_commands(module)
        if declared is None:
            continue
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        __import__(module, fromlist=["register"]).register(sub)
        real = {a.dest: a.help for a in sub._choices_actions}
        assert declared == real, module


# --------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------

def test_run_json_gives_every_outcome_with_interval_params_and_seeds(call, tmp_path):
    out = run_json(call, "baseline", "--reps", "2", "--seed", "5")
    assert out["seeds"] == [5, 6]
    assert list(out["outcomes"]) == list(OUTCOME_KEYS)
    for st in out["outcomes"].values():
        assert set(st) >= {"mean", "sd", "ci95_low", "ci95_high", "n"} and st["n"] + st["undefined"] == 2
    assert out["params"]["run"] == {"seed": 5, "months": 12}
    assert (tmp_path / out["results_dir"] / "summary.json").is_file()


def test_set_overrides_reach_the_resolved_params(call):
    out = run_json(call, "baseline", "--set", "levers.dialogue=0.8",
                   "--set", "governance.rule=subsidiarity", "--set", "funding.regime=pooled_fund",
                   "--set", "time.electoral_cycle_months=48")
    p = out["params"]
    assert p["levers"]["dialogue"] == 0.8 and p["governance"]["rule"] == "subsidiarity"
    assert p["funding"]["regime"] == "pooled_fund" and p["time"]["electoral_cycle_months"] == 48


@pytest.mark.slow
def test_same_seed_same_result_whatever_the_workers(tmp_path):
    """Through the real entry point, --workers 1 and 2 give the same results (whether the
    work is big enough for a pool is the executor's choice; its own tests run the real model
    on a pool)."""
    args = ["run", "baseline", "--reps", "4", "--months", "60", "--json", "--quiet", "--out", "out"]
    one = json.loads(alliance(*args, "--workers", "1", cwd=tmp_path).stdout)
    done = alliance(*args, "--workers", "2", cwd=tmp_path)
    two = json.loads(done.stdout)
    assert one["outcomes"] == two["outcomes"]
    assert one["results_dir"] != two["results_dir"]


def test_run_text_output_says_where_results_and_figures_are(call, tmp_path):
    code, out, err = call("run", "subsidiarity", "--months", "12", "--reps", "2", "--quiet", "--out", "out")
    assert code == 0, err
    assert "Results: out/" in out and "Figures: out/" in out and "overview.png" in out
    assert "impact" in out and err == ""
    [folder] = (tmp_path / "out").iterdir()
    assert sorted(p.name for p in (folder / "figures").iterdir()) == ["overview.png"]


@pytest.mark.slow
def test_figures_are_drawn_by_a_detached_process_the_same_as_at_once(tmp_path):
    """By default the command returns once the tables are written and a detached process draws
    the figures into the finished folder: the same bytes as ``--figures-now``."""
    args = ["run", "baseline", "--reps", "2", "--months", "12", "--json", "--quiet"]
    now = tmp_path / json.loads(alliance(*args, "--figures-now", "--out", "now", cwd=tmp_path).stdout)["results_dir"]
    later = tmp_path / json.loads(alliance(*args, "--out", "later", cwd=tmp_path).stdout)["results_dir"]
    png = later / "figures" / "overview.png"
    deadline = time.monotonic() + 120
    while not png.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert png.read_bytes() == (now / "figures" / "overview.png").read_bytes()
    assert sorted(p.name for p in png.parent.iterdir()) == ["overview.png"]  # no part file left


def test_a_figure_process_that_fails_says_why_in_the_folder(tmp_path):
    from experiments.io import figures

    job = {"kind": "run", "title": "t", "each": False, "lang": "en", "print_formats": False}
    assert figures.main([str(tmp_path), json.dumps(job)]) == 1  # no series.parquet there
    error = (tmp_path / figures.ERROR_FILE).read_text()
    assert error.startswith("the figures could not be drawn: ") and "series.parquet" in error
    assert figures.planned({**job, "each": True}) == ["figures/overview.png", *(f"figures/{c}.png" for c in
                                                                                 figures.FIGURE_SERIES)]


@pytest.mark.slow
def test_figures_all_adds_one_png_per_series_and_none_draws_nothing(call, tmp_path):
    from experiments.io.figures import FIGURE_SERIES

    out = run_json(call, "baseline", "--figures", "all")
    pngs = {p.name for p in (tmp_path / out["results_dir"] / "figures").iterdir()}
    assert pngs == {"overview.png", *(f"{c}.png" for c in FIGURE_SERIES)}
    out = run_json(call, "baseline", "--figures", "none")
    assert not (tmp_path / out["results_dir"] / "figures").exists()
    code, text, _ = call("run", "baseline", "--months", "12", "--figures", "none", "--quiet", "--out", "o")
    assert code == 0 and "Figures:" not in text


def test_run_accepts_a_scenario_path(call, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('description = "mine"\nextends = "baseline"\n[levers]\nsharing = 0.6\n')
    out = run_json(call, str(path))
    assert out["scenario"] == "mine" and out["params"]["levers"]["sharing"] == 0.6


# --------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------

def test_compare_pairs_replications_over_common_seeds(call, tmp_path):
    twin = tmp_path / "twin.toml"
    twin.write_text('description = "same as baseline"\nextends = "baseline"\n')
    out = ok_json(call("compare", "baseline", str(twin), "subsidiarity", "--reps", "3",
                       "--months", "12", "--json", "--quiet", "--out", "out"))
    assert out["scenarios"] == ["baseline", "twin", "subsidiarity"]
    assert out["seeds"] == [0, 1, 2]
    # same parameters on the same seeds: every paired difference is exactly zero
    for st in out["differences"]["twin"].values():  # None: undefined in every seed (nothing to average)
        assert st["mean"] is None or (st["mean"] == 0 and st["ci95_low"] == 0 and st["ci95_high"] == 0)
    assert set(out["differences"]) == {"twin", "subsidiarity"}
    # paired differences are differences of the per-seed outcomes, so their mean is the
    # difference of the means (where the outcome is defined in every seed of both)
    assert out["params"]["subsidiarity"]["governance"]["rule"] == "subsidiarity"
    for key, st in out["differences"]["subsidiarity"].items():
        if out["outcomes"]["subsidiarity"][key]["undefined"] or out["outcomes"]["baseline"][key]["undefined"]:
            continue
        expected = out["outcomes"]["subsidiarity"][key]["mean"] - out["outcomes"]["baseline"][key]["mean"]
        assert st["mean"] == pytest.approx(expected, rel=1e-9, abs=1e-12), key
    folder = tmp_path / out["results_dir"]
    assert (folder / "figures" / "compare.png").stat().st_size > 5000
    assert [p.name for p in (folder / "figures").iterdir()] == ["compare.png"]
    assert (folder / "series.parquet").is_file() and (folder / "provenance.json").is_file()


def test_compare_text_table(call):
    code, out, err = call("compare", "baseline", "macro_led", "--reps", "2", "--months", "12", "--quiet",
                          "--figures", "none", "--out", "out")
    assert code == 0, err
    assert "macro_led - baseline" in out and "Figures:" not in out


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
    (["run", "baseline", "--figures", "some"], ["--figures", "invalid choice: 'some'"]),
]


def _with_out(args: list[str]) -> list[str]:
    if args[0] in ("run", "compare") and "--out" not in args:
        return [*args, "--months", "12", "--out", "out", "--quiet"]
    return args


def _one_clear_line(code: int, out: str, err: str, needles: list[str], tmp_path: Path) -> None:
    assert code == 2, (out, err)
    err = err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("alliance")
    for needle in needles:
        assert needle in err, err
    assert out == ""
    out_dir = tmp_path / "out"
    assert not out_dir.exists() or list(out_dir.iterdir()) == [], "a results folder was left behind"


@pytest.mark.parametrize("args, needles", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_clear_line_and_exit_2(call, tmp_path, args, needles):
    _files(tmp_path)
    _one_clear_line(*call(*_with_out(args)), needles, tmp_path)


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_bad_input_through_the_real_entry_point(tmp_path):
    _files(tmp_path)
    done = alliance("run", "typo.toml", "--months", "12", "--out", "out", "--quiet", cwd=tmp_path)
    _one_clear_line(done.returncode, done.stdout, done.stderr,
                    ["typo.toml: unknown key 'governance.rul'", "did you mean 'rule'"], tmp_path)


def test_failed_run_is_reported_without_traceback_or_folder(call, tmp_path):
    # a valid scenario whose runs cannot fit in the seed range: refused before any run
    code, out, err = call("run", "baseline", "--seed", str(2**63 - 1), "--reps", "2", "--months", "12",
                          "--out", "out", "--quiet")
    _one_clear_line(code, out, err, ["--seed/--reps"], tmp_path)


# --------------------------------------------------------------------------------------
# The real entry point
# --------------------------------------------------------------------------------------

def test_installed_console_script_answers(tmp_path):
    script = Path(sys.executable).parent / "alliance"
    if not script.exists():
        pytest.skip("the package is not installed in this environment (make test installs it)")
    done = subprocess.run([str(script), "--help"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0
    for name in _commands():
        assert name in done.stdout


HEAVY = ("mesa", "pandas", "numba", "pydantic", "matplotlib", "scipy", "SALib")


@pytest.mark.parametrize("args", [["--help"], ["scenarios"], ["levers"], ["levers", "--json"]])
def test_listing_commands_import_no_heavy_library(tmp_path, args):
    code = ("import sys\nfrom experiments.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\n"
            f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr, done.stderr


@pytest.mark.slow
def test_run_writes_its_folder_without_pandas_or_matplotlib(tmp_path):
    """A small ``alliance run`` (issue 8, item 5): its tables are written without pandas and
    its figure is drawn by another process, so neither library is imported by the command."""
    light = ("mesa", "pandas", "matplotlib", "SALib")
    code = ("import sys\nfrom experiments.cli import main\nmain(sys.argv[1:])\n"
            f"print('HEAVY', sorted(m for m in {light!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, "run", "baseline", "--reps", "2", "--months", "12", "--quiet",
                           "--out", "out", "--figures", "none"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(REPO), "PATH": os.environ.get("PATH", "")})
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr, done.stderr
    (folder,) = (tmp_path / "out").iterdir()
    assert {p.name for p in folder.iterdir()} >= {"summary.json", "provenance.json", "series.parquet", "series.csv",
                                                   "replications.csv", "territories.csv"}
