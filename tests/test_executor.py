"""The executor: input order, identical results for 1 and 2 workers, failures named, and the
Dask path for real: a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1,
started by the test (free ports, bounded waits) and always torn down, must give the local
pool's table run for run."""

from __future__ import annotations

import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from testmodels import slow_square

from experiments.execution import executor
from experiments.execution.executor import Executor, auto_chunk_size, chunk_bounds, run_many
from experiments.io.errors import RunFailed
from experiments.sensitivity import command as sensitivity


def _items(n: int, pause: float = 0.0) -> list[dict]:
    # Earlier items sleep longer, so with 2 workers the last chunks finish first.
    return [{"x": i, "pause": pause * (n - i) / n} for i in range(n)]


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_results_come_back_in_input_order_with_two_workers():
    items = _items(12, pause=0.05)
    with Executor(workers=2) as ex:  # an explicit chunk size is a request for the pool
        out = ex.map(slow_square, items, chunk_size=2)
        assert ex.processes_used == 2
    assert [r["x"] for r in out] == list(range(12))
    assert [r["y"] for r in out] == [i * i for i in range(12)]


@pytest.mark.slow
def test_one_and_two_workers_give_identical_results_with_automatic_chunks(monkeypatch):
    monkeypatch.setattr(executor, "POOL_START_SECONDS", 0.0)  # the pool always pays
    items = _items(40)
    with Executor(workers=2) as ex:
        two = ex.map(slow_square, items)
        assert ex.processes_used == 2
    assert run_many(slow_square, items, workers=1) == two


def test_in_process_map_needs_no_pool():
    with Executor(workers=1) as ex:
        assert ex.map(slow_square, _items(5)) == [slow_square(i) for i in _items(5)]
        assert ex._pool is None and ex.processes_used == 1


def test_work_too_small_for_a_pool_runs_in_this_process(monkeypatch):
    """Two probe items time the work; when the rest would save less than the pool's start,
    no pool starts, and the results are the same."""
    monkeypatch.setattr(executor, "POOL_START_SECONDS", 60.0)
    items = _items(30, pause=0.001)
    with Executor(workers=2) as ex:
        assert ex.map(slow_square, items) == [slow_square(i) for i in items]
        assert ex._pool is None and ex.processes_used == 1


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_a_failing_item_raises_run_failed_naming_it(workers):
    items = _items(6)
    items[4] = {"x": 4, "explode": True, "seed": 17}
    with pytest.raises(RunFailed, match=r"x=4") as info:
        run_many(slow_square, items, workers=workers, chunk_size=2)
    assert "'explode': True" in str(info.value)
    assert info.value.seed == 17


@pytest.mark.slow
def test_pool_is_reused_across_batches():
    with Executor(workers=2) as ex:
        a = dict(ex.map_chunks(slow_square, [[{"x": 1}], [{"x": 2}]]))
        pool = ex._pool
        b = dict(ex.map_chunks(slow_square, [[{"x": 3}]]))
        assert ex._pool is pool
    assert a == {0: [{"x": 1, "y": 1}], 1: [{"x": 2, "y": 4}]} and b == {0: [{"x": 3, "y": 9}]}


def test_chunk_helpers():
    assert chunk_bounds(7, 3) == [(0, 3), (3, 6), (6, 7)]
    with pytest.raises(ValueError):
        chunk_bounds(5, 0)
    # 10 ms per item: 20 items make a 0.2 s task, unless that leaves a worker idle.
    assert auto_chunk_size(0.01, 10_000, 2) == 20
    assert auto_chunk_size(0.01, 30, 2) == 8
    assert auto_chunk_size(1e-7, 1000, 4) == 125
    assert auto_chunk_size(5.0, 1000, 4) == 1


def test_bad_worker_count_is_refused():
    with pytest.raises(ValueError, match="workers"):
        run_many(slow_square, _items(2), workers=0)


def test_run_model_reports_non_finite_outcomes_with_seed_and_varied(monkeypatch):
    simulation = pytest.importorskip("simulation")
    from experiments.execution.executor import run_model

    def fake_run(params, series=True, coefficients=None):
        return {"impact": math.nan if params.levers.dialogue > 0.5 else 1.0}, None

    monkeypatch.setattr(simulation, "run", fake_run)
    params = simulation.Params().with_overrides({"run.seed": 42, "levers.dialogue": 0.9}).model_dump()
    with pytest.raises(RunFailed, match=r"non-finite.*seed 42.*dialogue") as info:
        run_model({"params": params, "varied": {"levers.dialogue": 0.9}, "series": False})
    assert info.value.seed == 42
    with pytest.raises(RunFailed, match=r"seed 42.*levers.dialogue"):
        run_model({"params": params, "series": False})  # no 'varied': the differences are named
    params["levers"]["dialogue"] = 0.1
    assert run_model({"params": params, "series": False}) == {"summary": {"impact": 1.0}, "series": None}
    params["levers"]["dialogue"] = 7.0
    with pytest.raises(RunFailed, match=r"invalid parameters for seed 42.*levers.dialogue"):
        run_model({"params": params, "series": False})


def test_parameters_are_validated_once_per_set_and_a_changed_dict_again():
    simulation = pytest.importorskip("simulation")
    from simulation.kernel import coefficients

    base = simulation.Params().with_overrides({"levers.dialogue": 0.4}).model_dump()
    for run in ({"seed": 3}, {"seed": 4, "months": 12}, {}):  # seeds and lengths of one set
        params, cf = executor._validated({**base, "run": run})
        assert params == simulation.Params.from_dict({**base, "run": run})
        np.testing.assert_equal(tuple(cf), tuple(coefficients(params)))
    base["levers"]["dialogue"] = 0.9  # changed in place: a new set
    assert executor._validated({**base, "run": {"seed": 3}})[0].levers.dialogue == 0.9
    with pytest.raises(simulation.ParameterError, match=r"run task: key 'run.seed'"):
        executor._validated({**base, "run": {"seed": -1}})  # only the run section is new: still checked


@pytest.mark.slow
def test_run_model_runs_the_real_model_identically_in_one_and_two_workers():
    simulation = pytest.importorskip("simulation")
    from experiments.execution.executor import run_model

    base = simulation.Params().with_overrides({"run.months": 24})
    tasks = [{"params": base.with_overrides({"run.seed": s}).model_dump(), "series": False}
             for s in range(6)]
    one = run_many(run_model, tasks, workers=1)
    two = run_many(run_model, tasks, workers=2, chunk_size=2)  # a chunk size asks for the pool
    # assert_equal: NaN (an outcome undefined in that run) equals NaN
    np.testing.assert_equal([r["summary"] for r in one], [r["summary"] for r in two])
    assert set(one[0]["summary"]) == set(simulation.OUTCOME_KEYS)


# --------------------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SPEC = """
description = "noisy linear model on Dask"
method = "sobol"
model = "testmodels:noisy_linear"
outcomes = ["y"]
replications = 3
[factors]
p = [0, 1]
q = [0, 1]
r = [0, 1]
[sobol]
n = 32
scrambles = 4
second_order = true
[statistics]
resamples = 100
[pilot]
points = 4
seeds = 4
[execution]
chunk_runs = 150
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_cli() -> str:
    exe = Path(sys.executable).with_name("dask")
    if exe.exists():
        return str(exe)
    found = shutil.which("dask")
    if found is None:
        pytest.skip("the dask command is not installed")
    return found


@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and two single-threaded workers; yields the scheduler address."""
    dask = _dask_cli()
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    # The workers import the model by name: the project and the test models (tests/testmodels.py).
    path = [str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    logs = []
    procs = []

    def start(*args: str) -> None:
        log = open(tmp_path / f"dask-{len(procs)}.log", "w")  # noqa: SIM115 - closed below
        logs.append(log)
        procs.append(subprocess.Popen([dask, *args], cwd=tmp_path, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        for i in range(2):
            start("worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                  "--host", "127.0.0.1", "--name", f"w{i}", "--local-directory", str(tmp_path / f"w{i}"))
        from dask.distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    text = "\n".join((tmp_path / f"dask-{i}.log").read_text()[-2000:] for i in range(len(procs)))
                    pytest.fail(f"the Dask cluster did not start within 60 s:\n{text}")
                time.sleep(0.5)
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
        for log in logs:
            log.close()


@pytest.mark.slow
def test_dask_cluster_gives_the_local_pool_table(dask_cluster, tmp_path):
    items = [{"x": i} for i in range(50)]
    assert run_many(slow_square, items, scheduler=dask_cluster, chunk_size=7) == [slow_square(i) for i in items]
    assert run_many(slow_square, items, scheduler=dask_cluster) == [slow_square(i) for i in items]  # auto chunks

    spec = tmp_path / "noisy.toml"
    spec.write_text(SPEC)
    local = sensitivity.run_experiment(spec, workers=2, out=tmp_path / "local", progress=False)
    remote = sensitivity.run_experiment(spec, scheduler=dask_cluster, out=tmp_path / "dask", progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(local / "indices.csv"), pd.read_csv(remote / "indices.csv"))
    pd.testing.assert_frame_equal(pd.read_parquet(local / "design.parquet"),
                                  pd.read_parquet(remote / "design.parquet"))
    assert "tcp://127.0.0.1" in (remote / "ranking.md").read_text()
