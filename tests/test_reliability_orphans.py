"""Issue 14, "No orphans": a SIGKILLed ``alliance`` leaves no worker process behind. The
workers watch their parent (experiments.execution.executor._watch_parent) and the forkserver
exits when its parent's pipe closes, so every descendant is gone within a few seconds, whatever
the moment of the kill (pool starting, kernels loading, runs under way)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from helpers import REPO

GONE_WITHIN = 5.0  # seconds after the kill


def _alive(procs: dict[int, psutil.Process]) -> list[int]:
    out = []
    for pid, p in procs.items():
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


def _children(main: psutil.Process) -> list[psutil.Process]:
    try:
        return main.children(recursive=True)
    except psutil.Error:
        return []


def kill_and_time(tmp_path, wait_for_children: int, extra_delay: float, sig=signal.SIGKILL):
    """Start a pooled run (4,000 replications: enough that the executor always starts a pool,
    where 400 ran in-process on a fast machine), kill it once it has ``wait_for_children`` descendants (plus
    ``extra_delay`` s); return (descendants seen, seconds until none is left, stderr)."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli", "run", "baseline", "--reps", "4000",
                             "--workers", "2", "--quiet", "--out", str(tmp_path)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
    main = psutil.Process(proc.pid)
    seen: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + 300
    reached = None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            for child in main.children(recursive=True):
                seen.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            break
        if reached is None and len(_alive(seen)) >= wait_for_children:
            reached = time.monotonic()
        if reached is not None and time.monotonic() - reached >= extra_delay:
            break
        time.sleep(0.02)
    assert proc.poll() is None, (f"the run ended (exit {proc.returncode}) before it had "
                                 f"{wait_for_children} descendant(s)")
    proc.send_signal(sig)
    t0 = time.monotonic()
    while (proc.poll() is None or _alive(seen)) and time.monotonic() - t0 < 60:
        for child in _children(main):
            seen.setdefault(child.pid, child)
        time.sleep(0.05)
    err = proc.stderr.read() if not _alive(seen) else b""
    left = _alive(seen)
    for pid in left:  # never leave them to the next test
        seen[pid].kill()
    return len(seen), time.monotonic() - t0, left, err.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("children, delay", [(1, 0.0), (2, 0.0), (3, 0.0), (4, 0.5), (4, 3.0)])
def test_sigkill_leaves_no_worker_behind(tmp_path, children, delay):
    seen, seconds, left, _ = kill_and_time(tmp_path, children, delay)
    print(f"kill -9 after {children} descendant(s) + {delay} s: {seen} seen, all gone in {seconds:.2f} s")
    assert not left, f"{len(left)} orphan(s) still alive {seconds:.1f} s after the kill"
    assert seconds < GONE_WITHIN


@pytest.mark.slow
@pytest.mark.parametrize("children", [1, 3])
def test_sigterm_during_pool_start_is_one_line_and_leaves_nothing(tmp_path, children):
    """SIGTERM is Ctrl-C: running chunks finish and the pool shuts down cleanly, so it may
    take longer than a kill; it must end with one line and no process left."""
    seen, seconds, left, err = kill_and_time(tmp_path, children, 0.0, sig=signal.SIGTERM)
    print(f"SIGTERM after {children} descendant(s): all gone in {seconds:.2f} s; stderr: {err!r}")
    assert not left
    assert err.strip().splitlines() == ["alliance: interrupted; no results folder was written"]
    assert "Traceback" not in err
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]
