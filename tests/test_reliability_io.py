"""Issue 14: sizes, the disk, damaged folders and the cluster. Each case ends in exit 0, or
exit 2 with one 'alliance: error:' line per problem; finished work is kept where it can be
(a sensitivity folder) and nothing partial is left where it cannot (a run folder)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from test_reliability_inputs import cli, refused

from experiments.execution import executor as exe
from experiments.io import results as res
from experiments.io.errors import ResourceError

#: A small Morris design on a test model (runs cost nothing); test_fuzz.py uses it too.
TINY = """description = "tiny"
method = "morris"
model = "testmodels:noisy_linear"
outcomes = ["y"]
replications = 2
dummy = false
[factors]
p = [0.0, 1.0]
q = [0.0, 1.0]
r = [0.0, 1.0]
[morris]
trajectories = 4
levels = 4
[pilot]
points = 1
seeds = 2
[execution]
chunk_runs = 2
[statistics]
resamples = 50
"""

SIM = """description = "tiny simulation"
method = "morris"
outcomes = ["impact"]
replications = 2
dummy = false
[overrides]
"run.months" = 3
"territories.count" = 3
[factors]
"governance.reporting" = [0.0, 1.0]
[morris]
trajectories = 3
levels = 4
[pilot]
points = 1
seeds = 2
[execution]
chunk_runs = 2
[statistics]
resamples = 50
"""


def _sensitivity(capsys, spec: Path, out: Path, *extra: str) -> tuple[int, Path | None, str]:
    code, stdout, err = cli(capsys, "sensitivity", str(spec), "--workers", "1", "--quiet",
                            "--out", str(out), *extra)
    folder = Path(stdout.split("results: ", 1)[1].strip()) if code == 0 else None
    return code, folder, err


def _indices(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "indices.csv")


# --------------------------------------------------------------------------------------
# Sizes: refused up front, with the estimate, on --dry-run too
# --------------------------------------------------------------------------------------

def test_replications_beyond_the_time_limit_are_refused_with_the_estimate(capsys, tmp_path):
    refused(capsys, "run", "baseline", "--reps", "10000000", "--quiet", "--out", str(tmp_path),
            needles=("--reps 10000000", "expected work under 2.0 h", "days for 10,000,000 runs",
                     "add --force"))
    assert not any(tmp_path.iterdir())


def test_replications_beyond_memory_are_refused_even_with_force(capsys, tmp_path):
    # compare holds every replication's series until its folder is written
    refused(capsys, "compare", "baseline", "budget_doubled", "--reps", "10000000", "--force", "--quiet",
            "--out", str(tmp_path),
            needles=("--reps 10000000", "GiB of memory available", "found about", "at most about"))
    assert not any(tmp_path.iterdir())


def _never_initialised(monkeypatch) -> None:
    import simulation.engine as engine

    def boom(*a, **k):
        raise AssertionError("the model was allocated")
    monkeypatch.setattr(engine, "initialise", boom)


TINY_RUN = ("--months", "1", "--set", "territories.count=1", "--figures", "none", "--workers", "1")


def test_large_work_says_its_estimate_and_runs(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(res, "SECONDS_PER_RUN", 100.0)  # one run "lasts" 100 s
    code, _, err = cli(capsys, "run", "baseline", "--out", str(tmp_path), *TINY_RUN)
    assert code == 0, err
    assert "alliance: about 100 s for 1 runs of 1 months with 20 actors on 1 worker(s) (estimated)" in err


def test_work_over_the_time_limit_runs_with_force(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(res, "SECONDS_PER_RUN", 3 * 3600.0)
    refused(capsys, "run", "baseline", "--out", str(tmp_path), *TINY_RUN,
            needles=("expected work under 2.0 h", "about 3.0 h for 1 runs", "add --force"))
    assert not any(tmp_path.iterdir())
    code, _, err = cli(capsys, "run", "baseline", "--out", str(tmp_path), "--force", *TINY_RUN)
    assert code == 0, err
    assert "about 3.0 h" in err


@pytest.mark.parametrize("how", ["set", "table"])
def test_huge_actor_counts_are_refused_before_allocation(capsys, tmp_path, monkeypatch, how):
    _never_initialised(monkeypatch)
    if how == "set":
        args = ["--set", "territories.count=5000", "--set", "actors.associations_per_territory=10000"]
    else:  # a legal table: 5,000 territories of 10,000 associations and firms each
        from experiments.io.scenarios import TERRITORY_COLUMNS

        rows = [",".join(TERRITORY_COLUMNS)]
        for i in range(5000):
            values = {"name": f"t{i}", "region": 0, "x": 0.5, "y": 0.5, "associations": 10000, "firms": 10000}
            rows.append(",".join(str(values.get(c, 0.5)) for c in TERRITORY_COLUMNS))
        (tmp_path / "big.csv").write_text("\n".join(rows) + "\n")
        (tmp_path / "big.toml").write_text('[territories]\nfile = "big.csv"\n')
        args = []
    name = "baseline" if how == "set" else str(tmp_path / "big.toml")
    refused(capsys, "run", name, "--out", str(tmp_path / "out"), *args,
            needles=("expected a model that fits in half of the", "actors in 5,000 territories", "GiB"))
    assert not (tmp_path / "out").exists()


HUGE = {
    "morris": 'method = "morris"\n[morris]\ntrajectories = 100000000\nlevels = 4\n',
    "sobol": 'method = "sobol"\n[sobol]\nn = 1073741824\n',
}


def _never_built(monkeypatch) -> None:
    """Make building any design, run table or pilot table fail the test."""
    from experiments.sensitivity import analysis, command, runs

    def boom(*a, **k):
        raise AssertionError("the design was built")
    for module, names in ((analysis, ("morris_design", "sobol_design", "space_filling")),
                          (runs, ("design_parts", "run_table", "pilot_table")),
                          (command, ("design_parts", "run_table", "pilot_table"))):
        for name in names:
            monkeypatch.setattr(module, name, boom)


@pytest.mark.parametrize("method", HUGE)
@pytest.mark.parametrize("dry", [True, False])
def test_designs_too_large_are_refused_before_allocation(capsys, tmp_path, monkeypatch, method, dry):
    _never_built(monkeypatch)
    spec = tmp_path / "huge.toml"
    spec.write_text('outcomes = ["impact"]\nreplications = 2\n' + HUGE[method]
                    + '[factors]\n"governance.reporting" = [0.0, 1.0]\n')
    args = ["sensitivity", str(spec), "--out", str(tmp_path / "out"), "--quiet"] + (["--dry-run"] if dry else [])
    refused(capsys, *args, needles=("huge.toml", "expected a design of at most 10,000,000 runs",
                                    "runs with the pilot", "GiB of tables"))
    assert not (tmp_path / "out").exists()


def test_dry_run_counts_the_runs_the_size_guard_counted(capsys, tmp_path):
    from experiments.sensitivity.spec import design_runs, load_spec

    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY)
    code, out, err = cli(capsys, "sensitivity", str(spec), "--dry-run", "--workers", "1")
    assert code == 0, err
    # Morris: 4 trajectories x (3 factors + 1) points x 2 replications; pilot (1 + 1) points x 2 seeds
    assert "16 design points x 2 replication(s) + pilot 4 = 36 runs" in out
    assert design_runs(load_spec(spec)) == 36


# --------------------------------------------------------------------------------------
# The disk: full, too-long names, unwritable places
# --------------------------------------------------------------------------------------

def _enospc(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device", "series.parquet")


@pytest.mark.parametrize("where", ["series", "replications"])
def test_disk_full_while_writing_a_run_leaves_no_folder(capsys, tmp_path, monkeypatch, where):
    if where == "series":
        monkeypatch.setattr(res.StreamedTables, "_flush", _enospc)
    else:  # replications.csv, written last
        write = res.write_csv
        monkeypatch.setattr(res, "write_csv", lambda out, *a, **k: _enospc() if getattr(out, "name", "") ==
                            "replications.csv" else write(out, *a, **k))
    refused(capsys, "run", "baseline", "--months", "2", "--workers", "1", "--quiet", "--out", str(tmp_path),
            needles=("the disk is full", "series.parquet", "no results folder was left"))
    assert list(tmp_path.iterdir()) == []


def test_disk_full_on_a_real_tiny_file_system(capsys, tmp_path):
    """A 48 kB tmpfs (needs root to mount; skipped elsewhere): a 12-month run writes about
    140 kB (tables, summary, provenance, the overview figure)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        refused(capsys, "run", "baseline", "--months", "12", "--workers", "1", "--quiet", "--out", str(disk),
                needles=("the disk is full", "no results folder was left"))
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_name_over_255_bytes_is_one_line(capsys, tmp_path):
    refused(capsys, "run", "baseline", "--months", "1", "--workers", "1", "--quiet",
            "--out", str(tmp_path / ("x" * 300)), needles=("--out", "too long"))


def test_an_out_folder_that_is_a_file_is_one_line(capsys, tmp_path):
    (tmp_path / "file").write_text("")
    refused(capsys, "run", "baseline", "--months", "1", "--workers", "1", "--quiet",
            "--out", str(tmp_path / "file" / "sub"), needles=("--out", "expected a writable folder"))


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_disk_full_during_a_sensitivity_keeps_chunks_and_resumes(capsys, tmp_path, monkeypatch):
    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY)
    code, reference, err = _sensitivity(capsys, spec, tmp_path / "ref")
    assert code == 0, err
    import pyarrow.parquet as pq

    calls = {"n": 0}
    real = pq.write_table

    def fills_up(table, path, *a, **k):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(table, path, *a, **k)
    monkeypatch.setattr(pq, "write_table", fills_up)
    err = refused(capsys, "sensitivity", str(spec), "--workers", "1", "--quiet", "--out", str(tmp_path / "o"),
                  needles=("the disk is full", "finished chunks are kept", "--resume"))
    folder = Path(err.split("--resume ", 1)[1].split("'")[0])
    assert len(list((folder / "checkpoint").glob("*.parquet"))) == 3
    monkeypatch.setattr(pq, "write_table", real)
    code, out, err = cli(capsys, "sensitivity", "--resume", str(folder), "--workers", "1", "--quiet")
    assert code == 0, err
    pd.testing.assert_frame_equal(_indices(folder), _indices(reference))


# --------------------------------------------------------------------------------------
# Damaged folders on --resume: the three cases, on the simulation
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim_reference(tmp_path_factory):
    base = tmp_path_factory.mktemp("sim")
    (base / "sim.toml").write_text(SIM)
    from experiments.cli import main
    assert main(["sensitivity", str(base / "sim.toml"), "--workers", "1", "--quiet", "--out", str(base)]) == 0
    return next(p for p in base.iterdir() if p.is_dir())


@pytest.mark.parametrize("damage", ["empty experiment.json", "no base_params.json",
                                    "truncated checkpoint", "junk checkpoint", "leftover tmp"])
def test_a_damaged_folder_resumes_to_the_same_results(capsys, tmp_path, sim_reference, damage):
    folder = tmp_path / sim_reference.name
    shutil.copytree(sim_reference, folder)
    for name in ("indices.csv", "ranking.md", "provenance.json"):
        (folder / name).unlink()
    first = sorted((folder / "checkpoint").glob("runs-*.parquet"))[0]
    if damage == "empty experiment.json":
        (folder / "experiment.json").write_text("")
    elif damage == "no base_params.json":
        (folder / "base_params.json").unlink()
    elif damage == "truncated checkpoint":
        first.write_bytes(first.read_bytes()[:100])
    elif damage == "junk checkpoint":
        first.write_bytes(b"\x00junk")
    else:
        (folder / "checkpoint" / "runs-00099.tmp").write_bytes(b"half")
    code, out, err = cli(capsys, "sensitivity", "--resume", str(folder), "--workers", "1", "--quiet")
    assert code == 0, err
    pd.testing.assert_frame_equal(_indices(folder), _indices(sim_reference))
    assert json.loads((folder / "experiment.json").read_text())["name"]


def test_a_folder_without_spec_is_one_line(capsys, tmp_path):
    refused(capsys, "sensitivity", "--resume", str(tmp_path), needles=("--resume", "spec.toml"))


# --------------------------------------------------------------------------------------
# Stale partial folders of killed runs
# --------------------------------------------------------------------------------------

def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True)
    return int(done.stdout)


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_stale_partial_folders_are_removed_and_live_ones_kept(capsys, tmp_path):
    """Review 14, finding 7: a live run's folder is known by its lock, not by its PID (which
    means nothing in another container or PID namespace, where this PID may be dead)."""
    import fcntl

    stale = tmp_path / f".20260101T000000Z-baseline.partial-{_dead_pid()}-abcdef12"
    live = tmp_path / f".20260101T000000Z-baseline.partial-{os.getpid()}-abcdef12"
    elsewhere = tmp_path / f".20260101T000000Z-baseline.partial-{_dead_pid()}-0000abcd"
    young = tmp_path / f".20260101T000000Z-baseline.partial-{_dead_pid()}-1111abcd"
    for p in (stale, live, elsewhere, young):
        p.mkdir()
        (p / "series.csv").write_text("half")
        if p is not young:
            os.utime(p, (time.time() - 60, time.time() - 60))
    held = []
    for p in (live, elsewhere):  # as the running alliance that owns each does
        fd = os.open(p, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.append(fd)
    try:
        assert res.stale_partials(tmp_path) == [stale]
        code, _, err = cli(capsys, "run", "baseline", "--months", "2", "--workers", "1", "--quiet",
                           "--out", str(tmp_path))
        assert code == 0, err
        assert not stale.exists() and live.exists() and elsewhere.exists() and young.exists()
    finally:
        for fd in held:
            os.close(fd)
    os.utime(young, (time.time() - 60, time.time() - 60))
    assert res.stale_partials(tmp_path) == sorted([live, elsewhere, young])  # their owners are gone


# --------------------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------------------

@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_an_unreachable_scheduler_is_one_line_within_the_timeout(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(exe, "CONNECT_TIMEOUT", 2.0)
    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY)
    t0 = time.monotonic()
    refused(capsys, "sensitivity", str(spec), "--scheduler", "tcp://127.0.0.1:9", "--quiet",
            "--out", str(tmp_path / "o"),
            needles=("--scheduler tcp://127.0.0.1:9", "found none answering within 2 s", "--resume"))
    assert time.monotonic() - t0 < 60


@pytest.mark.slow
def test_losing_every_dask_worker_stops_with_a_message(monkeypatch):
    from dask.distributed import LocalCluster

    monkeypatch.setattr(exe, "NO_WORKER_TIMEOUT", 3.0)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        ex = exe.Executor(scheduler=cluster.scheduler_address)
        got = []
        t0 = None
        with pytest.raises(ResourceError, match="no worker"):
            for _i, out in ex.map_chunks(time.sleep, [[0.3] for _ in range(40)]):
                got.append(out)
                if len(got) == 2:
                    cluster.scale(0)
                    t0 = time.monotonic()
        ex.close()
        print(f"every worker lost: message {time.monotonic() - t0:.1f} s after scale(0) "
              f"(NO_WORKER_TIMEOUT 3 s)")
        assert len(got) >= 2 and time.monotonic() - t0 < 60


@pytest.mark.slow
def test_a_dying_scheduler_stops_with_a_message(monkeypatch, tmp_path):
    monkeypatch.setattr(exe, "NO_WORKER_TIMEOUT", 5.0)
    port = 18000 + os.getpid() % 1000
    env = dict(os.environ)
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", str(port),
                              "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}",
                               "--nthreads", "1", "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env, cwd=Path(__file__).parent)
    try:
        ex = exe.Executor(scheduler=f"tcp://127.0.0.1:{port}")
        for _ in range(120):
            try:
                if exe._count_workers(ex._dask()) > 0:
                    break
            except ResourceError:
                pass
            time.sleep(0.5)
        got = []
        with pytest.raises(ResourceError, match="Dask cluster") as caught:
            for _i, out in ex.map_chunks(time.sleep, [[0.3] for _ in range(40)]):
                got.append(out)
                if len(got) == 2:
                    sched.kill()
                    t0 = time.monotonic()
        assert len(got) >= 2, caught.value
        elapsed = time.monotonic() - t0
        print(f"dying scheduler: message after {elapsed:.1f} s: {caught.value}")
        assert elapsed < 90
        try:
            ex.close()
        except Exception:
            pass
    finally:
        for p in (worker, sched):
            p.kill()
            p.wait()


# --------------------------------------------------------------------------------------
# Review 14: resuming a folder whose spec changed, damaged shapes, two resumes at once
# --------------------------------------------------------------------------------------

@pytest.fixture
def interrupted(capsys, tmp_path, monkeypatch):
    """A TINY experiment stopped by a full disk after 3 checkpoint files, and a reference."""
    import pyarrow.parquet as pq

    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY)
    code, reference, err = _sensitivity(capsys, spec, tmp_path / "ref")
    assert code == 0, err
    real, calls = pq.write_table, {"n": 0}

    def fills_up(table, path, *a, **k):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(table, path, *a, **k)
    monkeypatch.setattr(pq, "write_table", fills_up)
    err = refused(capsys, "sensitivity", str(spec), "--workers", "1", "--quiet", "--out", str(tmp_path / "o"),
                  needles=("--resume",))
    monkeypatch.setattr(pq, "write_table", real)
    folder = Path(err.split("--resume ", 1)[1].split("'")[0])
    res._LOCKS.pop(str(folder.resolve())).close()  # as this process's end would
    return folder, reference


def test_review_4_a_changed_spec_does_not_mix_old_runs_into_the_new_design(capsys, tmp_path, interrupted):
    folder, _ = interrupted
    changed = TINY.replace("q = [0.0, 1.0]", "q = [0.0, 0.5]")
    (folder / "spec.toml").write_text(changed)
    code, out, err = cli(capsys, "sensitivity", "--resume", str(folder), "--workers", "1", "--quiet")
    assert code == 0, err
    (tmp_path / "changed.toml").write_text(changed)
    code, fresh, err = _sensitivity(capsys, tmp_path / "changed.toml", tmp_path / "fresh")
    assert code == 0, err
    pd.testing.assert_frame_equal(_indices(folder), _indices(fresh))


@pytest.mark.parametrize("damage", ["checkpoint is a file", "a chunk is a folder", "a chunk copied over another"])
def test_review_6_damaged_shapes_are_repaired(capsys, interrupted, damage):
    folder, reference = interrupted
    chunks = sorted((folder / "checkpoint").glob("*.parquet"))
    if damage == "checkpoint is a file":
        shutil.rmtree(folder / "checkpoint")
        (folder / "checkpoint").write_text("")
    elif damage == "a chunk is a folder":
        chunks[-1].unlink()
        chunks[-1].mkdir()
    else:
        shutil.copy(chunks[-1], chunks[-2])
    code, out, err = cli(capsys, "sensitivity", "--resume", str(folder), "--workers", "1")
    assert code == 0, err
    assert "alliance: checkpoint" in err  # the repair is said
    pd.testing.assert_frame_equal(_indices(folder), _indices(reference))


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_review_9_a_second_resume_of_a_folder_in_use_is_one_line(interrupted, monkeypatch):
    from helpers import alliance

    folder, _ = interrupted
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # the spec's test model
    # another process holds the folder, as a running resume does
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from experiments.io.results import lock_folder; "
                               f"lock_folder(Path({str(folder)!r}), 'x'); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1])))
    try:
        assert holder.stdout.readline().strip() == "held"
        done = alliance("sensitivity", "--resume", str(folder), "--workers", "1", "--quiet", cwd=folder.parent)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("alliance: error: --resume") and "in use by process" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()


def test_review_5_calibrate_on_a_full_disk_names_the_folder_and_the_resume(capsys, tmp_path, monkeypatch):
    from test_calibration_abc import toy_spec

    calls = {"n": 0}
    real = pd.DataFrame.to_parquet

    def fills_up(self, path, *a, **k):
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(self, path, *a, **k)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", fills_up)
    err = refused(capsys, "calibrate", str(toy_spec(tmp_path, pop=50, gens=2)), "--workers", "1", "--quiet",
                  "--out", str(tmp_path / "o"),
                  needles=("the disk is full", "finished chunks are kept in", "'alliance calibrate --resume"))
    folder = Path(err.split("--resume ", 1)[1].split("'")[0])
    assert len(list((folder / "checkpoint").glob("*.parquet"))) == 2


@pytest.mark.slow  # measured: over 10 s on 2 loaded cores (pytest --durations)
def test_review_8_a_peer_that_accepts_but_never_answers_is_one_line_within_the_timeout(tmp_path, monkeypatch):
    """Review 14, finding 8: an address that takes the connection and says nothing (a proxy,
    a firewall, another service) gave half a minute and a traceback at exit."""
    import socket

    from helpers import alliance

    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # the spec's test model
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)  # accepts connections, never answers
        port = server.getsockname()[1]
        spec = tmp_path / "tiny.toml"
        spec.write_text(TINY)
        done = alliance("sensitivity", str(spec), "--scheduler", f"tcp://127.0.0.1:{port}", "--quiet",
                        "--out", str(tmp_path / "o"), cwd=tmp_path, timeout=120)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()  # no traceback of the client's deletion at exit
        assert len(lines) == 1 and "does not answer as one within 10 s" in lines[0], done.stderr
        # the deadline itself, timed in this process (a busy machine slows the command's start)
        monkeypatch.setattr(exe, "CONNECT_TIMEOUT", 2.0)
        t0 = time.monotonic()
        with pytest.raises(ResourceError, match="does not answer as one within 2 s"):
            exe.Executor(scheduler=f"tcp://127.0.0.1:{port}")._dask()
        assert time.monotonic() - t0 < 2 + 2 + 3
