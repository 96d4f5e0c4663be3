"""Results folders: statistics with known answers, atomic folders (an interrupted run leaves
nothing that looks complete, nothing is overwritten), provenance with relative paths only,
and the files a real ``alliance run`` writes."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from helpers import REPO, alliance

from experiments import cli
from experiments.io import figures, provenance
from experiments.io import results as res
from experiments.io.errors import InputError
from simulation import OUTCOME_KEYS


def visible(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith(".")] if folder.exists() else []


def fake_summary(value: float) -> dict[str, float]:
    return {k: value for k in OUTCOME_KEYS}


# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------

def test_describe_matches_student_t_by_hand():
    st = res.describe([1.0, 2.0, 3.0])
    # t(0.975, 2 df) = 4.302652729749464; sd = 1; half-width = t / sqrt(3)
    half = 4.302652729749464 / math.sqrt(3)
    assert st["mean"] == pytest.approx(2.0)
    assert st["sd"] == pytest.approx(1.0)
    assert st["ci95_low"] == pytest.approx(2.0 - half)
    assert st["ci95_high"] == pytest.approx(2.0 + half)
    assert st["n"] == 3


def test_describe_with_one_replication_has_no_interval():
    st = res.describe([4.2])
    assert st == {"mean": 4.2, "sd": None, "ci95_low": None, "ci95_high": None, "n": 1, "undefined": 0}


def test_paired_differences_remove_shared_variance():
    base = [fake_summary(v) for v in (1.0, 5.0, 9.0)]
    other = [fake_summary(v + 0.5) for v in (1.0, 5.0, 9.0)]
    diff = res.paired_differences(base, other)["impact"]
    assert diff["mean"] == pytest.approx(0.5)
    assert diff["sd"] == pytest.approx(0.0)
    assert diff["ci95_low"] == pytest.approx(0.5) and diff["ci95_high"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="as many replications"):
        res.paired_differences(base, other[:2])


def test_summarise_covers_every_outcome_in_registry_order():
    out = res.summarise([fake_summary(1.0), fake_summary(3.0)])
    assert list(out) == list(OUTCOME_KEYS)
    assert out["impact"]["mean"] == 2.0 and out["impact"]["unit"]


# --------------------------------------------------------------------------------------
# Atomic folders
# --------------------------------------------------------------------------------------

MOMENT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_folder_appears_only_when_complete(tmp_path):
    with res.ResultFolder(tmp_path, "baseline", MOMENT) as folder:
        (folder.path / "a.txt").write_text("x")
        assert folder.path.name.startswith(".")
        assert visible(tmp_path) == []
    assert folder.final == tmp_path / "20260102T030405Z-baseline"
    assert (folder.final / "a.txt").read_text() == "x"
    assert not folder.path.exists()


def test_failure_inside_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with res.ResultFolder(tmp_path, "baseline", MOMENT) as folder:
            (folder.path / "series.csv").write_text("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_interrupt_while_writing_figures_leaves_nothing(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "series_figures", interrupted)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["run", "baseline", "--months", "6", "--quiet", "--out", "out", "--figures-now"])
    assert code == 130 and "interrupted" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []


def test_existing_folder_is_never_overwritten(tmp_path):
    for i in range(3):
        with res.ResultFolder(tmp_path, "baseline", MOMENT) as folder:
            (folder.path / "i.txt").write_text(str(i))
    names = sorted(p.name for p in visible(tmp_path))
    assert names == ["20260102T030405Z-baseline", "20260102T030405Z-baseline-2",
                     "20260102T030405Z-baseline-3"]
    assert (tmp_path / "20260102T030405Z-baseline" / "i.txt").read_text() == "0"


def test_unwritable_output_is_an_input_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match=r"--out .*a_file/results: expected a writable folder; found "):
        with res.ResultFolder(blocker / "results", "baseline", MOMENT):
            pass


# --------------------------------------------------------------------------------------
# Tables and provenance
# --------------------------------------------------------------------------------------

def test_stack_series_puts_rep_and_seed_first():
    a = pd.DataFrame({"month": [1, 2], "impact": [0.0, 1.0]})
    out = res.stack_series([a, a], [7, 8], extra={"scenario": ["x", "y"]})
    assert list(out)[:3] == ["scenario", "rep", "seed"]
    assert out["seed"].tolist() == [7, 7, 8, 8] and out["rep"].tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="no monthly series"):
        res.stack_series([None], [0])


def test_command_line_has_no_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = provenance.command_line(["/usr/bin/alliance", "run", str(tmp_path / "s.toml"),
                                    f"--out={tmp_path / 'r'}"])
    assert line == ["alliance", "run", "s.toml", "--out=r"]


def _strings(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


def test_provenance_records_versions_and_only_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ended = MOMENT.replace(second=MOMENT.second + 2)
    prov = provenance.record(started=MOMENT, ended=ended, seeds=[3, 4], workers=2,
                             argv=[str(REPO / ".venv/bin/alliance"), "run", "baseline"],
                             scenario_files=[provenance.relative(REPO / "scenarios" / "baseline.toml")],
                             params={"run": {"seed": 3}})
    assert set(prov["versions"]) == {"python", *provenance.LIBRARIES}
    assert prov["versions"]["numpy"] == __import__("numpy").__version__
    assert prov["versions"]["pandas"] == pd.__version__
    assert prov["git_commit"] is None or len(prov["git_commit"]) == 40
    assert prov["git_dirty"] in (True, False, None)
    assert (prov["git_diff_sha256"] is None) == (prov["git_dirty"] is not True)  # dirty: which changes
    assert prov["started_utc"] == "2026-01-02T03:04:05+00:00" and prov["ended_utc"] == "2026-01-02T03:04:07+00:00"
    assert prov["wall_seconds"] == 2.0 and prov["workers"] == 2
    assert prov["command"] == ["alliance", "run", "baseline"]
    assert list(prov)[-1] == "params" and prov["seeds"] == [3, 4]
    assert not [s for s in _strings(prov) if s.startswith("/")], "absolute path in provenance"
    json.loads(res.dumps(prov))


def test_dumps_refuses_nothing_and_writes_null_for_non_finite():
    assert json.loads(res.dumps({"a": float("nan"), "b": [1.0, float("inf")]})) == {"a": None, "b": [1.0, None]}


# --------------------------------------------------------------------------------------
# A real run's folder
# --------------------------------------------------------------------------------------

def test_run_folder_holds_series_summary_provenance_and_figures(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["alliance", "run", "baseline", "--reps", "3", "--months", "12", "--seed", "4",
            "--out", "out", "--quiet"]
    monkeypatch.setattr(sys, "argv", argv)
    assert cli.main(argv[1:]) == 0
    stdout = capsys.readouterr().out
    [folder] = visible(tmp_path / "out")
    assert folder.name.endswith("-baseline")
    assert [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []

    summary = json.loads((folder / "summary.json").read_text())
    assert summary["seeds"] == [4, 5, 6] and summary["replications"] == 3
    assert list(summary["outcomes"]) == list(OUTCOME_KEYS)
    for st in summary["outcomes"].values():  # n: the replications where the outcome is defined
        assert st["n"] + st["undefined"] == 3
        assert st["n"] < 2 or st["ci95_low"] <= st["mean"] <= st["ci95_high"]
    assert summary["params"]["run"]["months"] == 12

    series = pd.read_parquet(folder / "series.parquet")
    assert list(series.columns[:2]) == ["rep", "seed"]
    assert sorted(series["seed"].unique()) == [4, 5, 6]
    assert len(series) == 3 * 12
    csv = pd.read_csv(folder / "series.csv")
    pd.testing.assert_frame_equal(csv, series, check_dtype=False)
    reps = pd.read_csv(folder / "replications.csv")
    assert reps["seed"].tolist() == [4, 5, 6]
    assert reps["impact"].mean() == pytest.approx(summary["outcomes"]["impact"]["mean"])

    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["schema"] == provenance.SCHEMA
    assert prov["command"] == argv
    assert prov["seeds"] == [4, 5, 6] and prov["workers"] == 1  # 3 short runs: no pool
    assert prov["versions"] == provenance.versions()
    assert prov["scenario_files"] == [os.path.relpath(REPO / "scenarios" / "baseline.toml", tmp_path)]
    assert prov["params"] == summary["params"]
    assert not [s for s in _strings(prov) if s.startswith("/")], "absolute path in provenance"

    pngs = sorted(p.name for p in (folder / "figures").glob("*.png"))
    assert pngs == ["overview.png"]
    assert (folder / "figures" / "overview.png").stat().st_size > 5000
    assert stdout.count(folder.name) == 2  # where the results and the figures are


def _wait_for_partial(out: Path, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if out.exists() and any(p.name.startswith(".") for p in out.iterdir()):
            return
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be interrupted: {proc.communicate()}")
        time.sleep(0.05)
    pytest.fail("no partial folder appeared")


def _start_long_run(tmp_path: Path) -> subprocess.Popen:
    """A run that lasts minutes. A short run first fills numba's compilation cache, so the
    signal reaches the long run while it steps the model, not while LLVM compiles it (a
    signal inside numba's compiler can crash the interpreter: that is numba's, not ours)."""
    warm = alliance("run", "baseline", "--months", "12", "--workers", "1", "--quiet",
                    "--out", "warm", cwd=tmp_path)
    assert warm.returncode == 0, warm.stderr
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(REPO)) if p)
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", "run", "baseline",
                             "--reps", "400", "--months", "240", "--workers", "1", "--out", "out",
                             "--quiet"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_killed_run_leaves_no_folder_that_looks_complete(tmp_path):
    proc = _start_long_run(tmp_path)
    _wait_for_partial(tmp_path / "out", proc)
    time.sleep(1.0)
    proc.kill()  # SIGKILL: no clean-up code can run
    proc.communicate(timeout=30)
    assert visible(tmp_path / "out") == []
    for partial in (tmp_path / "out").iterdir():
        assert ".partial" in partial.name and not (partial / "summary.json").exists()


@pytest.mark.slow
def test_terminated_run_cleans_up_and_says_so(tmp_path):
    proc = _start_long_run(tmp_path)
    _wait_for_partial(tmp_path / "out", proc)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    # 130, or death by SIGINT (-2, which a shell also reports as 130): seen about once in ten
    # runs on a loaded machine, after the message was printed; the cause is not yet found
    assert proc.returncode in (130, -signal.SIGINT), err
    assert "interrupted" in err and "Traceback" not in err
    assert list((tmp_path / "out").iterdir()) == []


def test_paired_p_and_fdr_are_scipy_stats_without_importing_it():
    """The paired t test's p and the Benjamini-Hochberg q-values of compare and the report are
    computed without scipy.stats (a second of import): the same numbers as scipy.stats."""
    import numpy as np
    from scipy import stats

    from experiments.report.sections import fdr, paired_p

    rng = np.random.default_rng(4)
    for n in (2, 3, 8, 30):
        for _ in range(20):
            d = rng.normal(rng.normal(), 1.0, n)
            want = stats.ttest_1samp(d, 0.0).pvalue
            assert paired_p(res.describe(d)) == pytest.approx(want, rel=1e-12)
    for m in (1, 2, 5, 35):
        for _ in range(20):
            p = rng.random(m) ** 3
            p[rng.random(m) < 0.2] = np.nan
            p[rng.random(m) < 0.2] = p[0]  # ties
            ok = np.isfinite(p)
            want = np.full(m, np.nan)
            if ok.any():
                want[ok] = stats.false_discovery_control(p[ok], method="bh")
            assert np.array_equal(np.array(fdr(p.tolist())), want, equal_nan=True)
