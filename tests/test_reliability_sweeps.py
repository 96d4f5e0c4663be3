"""Issue 14: long sweeps keep their memory flat and can be resumed at any point.

Peak resident memory (sampled every 0.05 s with psutil) of the ``alliance`` process and of
its largest worker, for 1,000 and 10,000 runs:

* a sensitivity design on a one-outcome test model (Ishigami: the runs cost nothing, so
  what is measured is the experiment's own bookkeeping: design table, chunks in flight,
  checkpoints, progress, analysis);
* ``alliance run --reps N`` with the model replaced by a stand-in returning copies of one
  real one-month result (the pipeline's memory: tasks, results, tables written as they come).

Ten times the runs may add at most :data:`MARGIN_MB` to either peak (measured on
2026-12-01: +16 MB for the design, +17 MB for the run; the 100,000-run figures are in the
issue's note). The design is also killed (SIGKILL) half-way and resumed: its indices are
identical to an uninterrupted run's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MARGIN_MB = 60.0

SPEC = """description = "memory of a long sweep: Ishigami, one outcome"
method = "regression"
model = "testmodels:ishigami"
outcomes = ["y"]
dummy = false
[factors]
x1 = [-3.14159, 3.14159]
x2 = [-3.14159, 3.14159]
x3 = [-3.14159, 3.14159]
[regression]
points = POINTS
emulator_below = 0.0
[statistics]
resamples = 50
[pilot]
points = 1
seeds = 2
[execution]
chunk_runs = 200
"""

STAND_IN = """import sys
import experiments.execution.executor as ex
from experiments.cli import main
real, cache = ex.run_model, {}
def stand_in(task):
    if "r" not in cache:
        cache["r"] = real(task)
    r = cache["r"]
    return {"summary": dict(r["summary"]), "series": r["series"].copy()}
ex.run_model = stand_in
sys.exit(main(["run", "baseline", "--months", "1", "--reps", sys.argv[1], "--workers", "1",
               "--figures", "none", "--quiet", "--force", "--out", sys.argv[2]]))
"""


def _env() -> dict[str, str]:
    return dict(os.environ, MPLBACKEND="Agg",
                PYTHONPATH=os.pathsep.join([str(REPO / "tests"), str(REPO)]))


def peak(argv: list[str], cwd: Path, kill_after: str | None = None) -> tuple[int, float, float, str]:
    """(exit code, peak RSS of the process in MB, of its largest descendant, stdout). With
    ``kill_after``, the process is SIGKILLed once that file exists."""
    import psutil

    proc = subprocess.Popen(argv, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    me = psutil.Process(proc.pid)
    main = kids = 0
    while proc.poll() is None:
        try:
            main = max(main, me.memory_info().rss)
            for child in me.children(recursive=True):
                try:
                    kids = max(kids, child.memory_info().rss)
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        if kill_after and list(cwd.glob(kill_after)):
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.05)
    out, err = proc.communicate()
    assert kill_after or proc.returncode == 0, err[-2000:]
    return proc.returncode, main / 2**20, kids / 2**20, out


def _design(tmp: Path, points: int, **kw) -> tuple[int, float, float, str]:
    spec = tmp / f"sweep{points}.toml"
    spec.write_text(SPEC.replace("POINTS", str(points)))
    return peak([sys.executable, "-m", "experiments.cli", "sensitivity", spec.name, "--workers", "2",
                 "--quiet", "--out", "out"], tmp, **kw)


@pytest.mark.slow
def test_a_ten_times_longer_design_keeps_its_memory_flat_and_resumes(tmp_path):
    _, main_1k, workers_1k, _ = _design(tmp_path, 1_000)
    _, main_10k, workers_10k, out = _design(tmp_path, 10_000)
    print(f"\ndesign peak RSS: main {main_1k:.0f} -> {main_10k:.0f} MB, workers {workers_1k:.0f} -> "
          f"{workers_10k:.0f} MB (1,000 -> 10,000 runs)")
    assert main_10k - main_1k < MARGIN_MB
    assert workers_10k - workers_1k < MARGIN_MB
    whole = Path(out.split("results: ", 1)[1].strip())
    # the same design, killed once half of its chunks are written, then resumed
    (tmp_path / "again").mkdir()
    code, *_ = _design(tmp_path / "again", 10_000, kill_after="out/*/checkpoint/runs-00025.parquet")
    assert code == -signal.SIGKILL
    folder = next((tmp_path / "again" / "out").iterdir())
    assert not (folder / "indices.csv").exists()
    peak([sys.executable, "-m", "experiments.cli", "sensitivity", "--resume", str(folder), "--workers", "2",
          "--quiet"], tmp_path / "again")
    assert (folder / "indices.csv").read_bytes() == (tmp_path / whole / "indices.csv").read_bytes()


@pytest.mark.slow
def test_ten_times_more_replications_keep_the_run_memory_flat(tmp_path):
    (tmp_path / "stand_in.py").write_text(STAND_IN)
    runs = {n: peak([sys.executable, "stand_in.py", str(n), "out"], tmp_path) for n in (1_000, 10_000)}
    (_, main_1k, _, _), (_, main_10k, _, _) = runs.values()
    print(f"\nrun peak RSS: main {main_1k:.0f} -> {main_10k:.0f} MB (1,000 -> 10,000 replications)")
    assert main_10k - main_1k < MARGIN_MB
    folders = sorted((tmp_path / "out").iterdir())
    import pandas as pd

    assert len(pd.read_csv(folders[-1] / "replications.csv")) == 10_000
    assert len(pd.read_parquet(folders[-1] / "series.parquet", columns=["rep"])) == 10_000
