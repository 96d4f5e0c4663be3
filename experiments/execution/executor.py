"""Run one function over many items, in this process, a local process pool or a Dask cluster.

Every experiment (sensitivity designs, sweeps, benchmarks) goes through :func:`run_many`, or
through :class:`Executor` when one pool must serve several batches (checkpointed designs).
Results come back in input order whatever the completion order, so an analysis never depends
on which worker finished first, and the same items give the same results with 1, 2 or N
workers, locally or on Dask.

Items are sent in chunks: a task costs about 2 ms on Dask and a few hundred microseconds in a
local pool, while a model run lasts 10-30 ms, so each task carries enough runs to last about
0.2 s. A run that raises is reported as :class:`~experiments.io.errors.RunFailed` naming the item
(its parameters and seed); nothing is dropped.

A pool starts only when it pays: with automatic chunks, the first two items run here and
time the work (CPU time); when the rest would take less than about
:data:`POOL_START_SECONDS` more in this process than on the pool, everything runs here (``alliance run baseline --reps 8``
never waits for a pool to start). Before a local pool starts, this process compiles the
model's kernels (or loads them from numba's disk cache), so a cold cache is compiled once
and the workers only load it.

The local pool uses an explicit ``forkserver`` context (``spawn`` where forkserver is
missing), chosen when the pool starts: the module sets no global start method. Forking a
process that already holds threads (numba, BLAS, Dask) is unsafe, hence not ``fork``.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from experiments.io.errors import ResourceError, RunFailed

#: Seconds a task should last at least: ~100 times the ~2 ms a Dask task costs.
TARGET_TASK_SECONDS = 0.2
#: Seconds that running chunks get to finish after Ctrl-C or SIGTERM before their workers are ended.
INTERRUPT_GRACE = 10.0

#: Seconds (wall) for a local pool to start and load the model in its workers: less work
#: than this saved by the pool runs in this process instead.
POOL_START_SECONDS = 1.5
#: Chunks in flight per worker at most: a long design is submitted as it runs, so neither its
#: tasks nor its results pile up in memory.
WINDOW = 4
#: Seconds to wait for a Dask scheduler to answer before giving up with a clear message.
CONNECT_TIMEOUT = 10.0
#: Seconds a Dask run may go on with no worker at all before it stops (finished runs kept).
NO_WORKER_TIMEOUT = 30.0
#: Seconds between two checks of the cluster (and, in a worker, of its parent process).
POLL_SECONDS = 0.5


# --------------------------------------------------------------------------------------
# What the workers run
# --------------------------------------------------------------------------------------

def _describe(item: Any) -> tuple[str, dict | None, int | None]:
    """A short description of an item for error messages, with its parameters and seed.

    Tasks of :func:`run_model` carry ``params`` (a full parameter dict) and optionally
    ``varied`` (the factors set by the design): the message names the varied factors and
    the seed rather than the hundreds of parameters of a full set.
    """
    if isinstance(item, dict) and isinstance(item.get("params"), dict):
        params = item["params"]
        seed = params.get("run", {}).get("seed")
        varied = item.get("varied")
        text = f"seed {seed}, varied parameters {varied}" if varied else f"seed {seed}"
        return text, params, seed
    seed = item.get("seed") if isinstance(item, dict) else None
    return f"item {item!r}", None, seed


def _apply_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> tuple[str, Any]:
    """Apply ``fn`` to every item of ``chunk`` in order.

    Returns ``("ok", results)`` or ``("error", (message, params, seed))``: the error travels
    as plain data because exceptions with extra fields do not survive pickling intact.
    """
    out = []
    for item in chunk:
        try:
            out.append(fn(item))
        except RunFailed as exc:
            return "error", (str(exc), exc.params, exc.seed)
        except Exception as exc:  # any failure of user code is reported with its item
            text, params, seed = _describe(item)
            return "error", (f"run failed for {text}: {type(exc).__name__}: {exc}", params, seed)
    return "ok", out


def _unwrap(status: str, payload: Any) -> list:
    if status == "ok":
        return payload
    message, params, seed = payload
    raise RunFailed(message, params=params, seed=seed)


def run_model(task: dict) -> dict:
    """Run the model once: the function the executors map over a design.

    Parameters
    ----------
    task : dict
        ``{"params": <full or partial parameter dict>, "series": bool or "columns"}`` and optionally
        ``"seed"`` (replaces ``params["run"]["seed"]``, so that the tasks of many
        replications share one parameter dict), ``"varied": {factor: value}`` (used only
        to name the run in error messages) and ``"territories": True`` (also return
        :func:`simulation.territories.territory_outcomes`).

    Returns
    -------
    dict
        ``{"summary": dict[str, float], "series": DataFrame | None}``, with
        ``"territories": {column: array}`` when the task asked for them.

    Raises
    ------
    RunFailed
        If the parameters are invalid, the model raises, or any summary value is not finite (NaN
        is allowed for an outcome undefined in the run, simulation/outcomes.py);
        the message names the seed and the varied parameters (or, without ``varied``, the
        parameters that differ from the defaults).
    """
    import numpy as np

    from experiments.execution.compiled import ensure_fresh_cache
    from simulation import ParameterError, run
    from simulation.outcomes import MAY_BE_UNDEFINED

    ensure_fresh_cache()  # once per process: numba's cache matches the sources
    params_dict = task["params"]
    if "seed" in task:  # many tasks share one parameter dict: each brings its seed
        params_dict = {**params_dict, "run": {**params_dict.get("run", {}), "seed": task["seed"]}}
    seed = params_dict.get("run", {}).get("seed")
    try:
        params, cf = _validated(params_dict)
        if task.get("territories"):  # issue 9 item 10: outcomes per territory as well
            from simulation.territories import run_by_territory

            summary, series, territories = run_by_territory(params, series=task.get("series") or False,
                                                            coefficients=cf)
        else:
            summary, series = run(params, series=task.get("series") or False, coefficients=cf)
            territories = None
    except ParameterError as exc:
        raise RunFailed(f"invalid parameters for seed {seed}: {exc}", params_dict, seed) from None
    except Exception as exc:
        raise RunFailed(
            f"model run failed for seed {seed}, {_varied_text(task)}: {type(exc).__name__}: "
            f"{_short(exc)}", params_dict, seed) from exc
    bad = {k: v for k, v in summary.items()
           if not np.isfinite(v) and not (np.isnan(v) and k in MAY_BE_UNDEFINED)}  # NaN: undefined
    if bad:
        raise RunFailed(f"non-finite outcome(s) {bad} for seed {seed}, {_varied_text(task)}",
                        params_dict, seed)
    out = {"summary": {k: float(v) for k, v in summary.items()}, "series": series}
    if territories is not None:
        out["territories"] = territories
    return out


#: The last parameters validated in this process: (the task's parameter dict without its
#: ``run`` section, pickled; the Params; their coefficients). Runs that differ only in seed or
#: length (replications, the seeds of a design row) validate the rest and compute the
#: coefficients, which do not read ``run``, once: about 0.5 ms a run.
_LAST: list = []


def _validated(params_dict: dict) -> tuple[Any, Any]:
    """``Params.from_dict(params_dict)`` and its coefficients; when everything but ``run`` is
    what the last call validated (compared by content: pickled, so a dict changed in place
    since is a new one), only the ``run`` section is validated."""
    import pickle

    from simulation import Params
    from simulation.kernel import coefficients

    rest = {k: v for k, v in params_dict.items() if k != "run"}
    try:
        key = pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # not plain data: validated whole, as before, and not remembered
        key = None
    if key is not None and _LAST and _LAST[0] == key:
        params, cf = _LAST[1], _LAST[2]
        run_section = params_dict.get("run", {})
        if isinstance(run_section, dict):
            try:
                section = type(params.run).model_validate({**type(params.run)().model_dump(), **run_section})
            except Exception:  # said as a whole validation says it, below
                section = None
            if section is not None:
                return params.model_copy(update={"run": section}), cf
    params = Params.from_dict(params_dict, source="run task")
    cf = coefficients(params)
    _LAST[:] = [key, params, cf]
    return params, cf


def _short(exc: BaseException, lines: int = 6) -> str:
    """The exception's text cut to a few lines (numba's typing errors run to pages); the full
    exception stays chained as ``__cause__``."""
    text = str(exc).strip().splitlines()
    more = f" [... {len(text) - lines} more lines]" if len(text) > lines else ""
    return " / ".join(text[:lines]) + more


def _varied_text(task: dict) -> str:
    if task.get("varied"):
        return f"varied parameters {task['varied']}"
    from simulation import Params

    diff = flat_diff(Params().model_dump(), task["params"])
    diff.pop("run.seed", None)
    records = diff.get("territories.records")
    if isinstance(records, list):  # a table: its size, not its thousands of rows
        diff["territories.records"] = f"{len(records):,} territories from a table"
    return f"parameters differing from the defaults {diff}"


def flat_diff(default: dict, given: dict, prefix: str = "") -> dict:
    """``{"a.b.c": value}`` for every leaf of ``given`` that differs from ``default``."""
    out: dict = {}
    for key, value in given.items():
        path = f"{prefix}{key}"
        base = default.get(key) if isinstance(default, dict) else None
        if isinstance(value, dict) and isinstance(base, dict):
            out.update(flat_diff(base, value, path + "."))
        elif value != base:
            out[path] = value
    return out


# --------------------------------------------------------------------------------------
# Chunking
# --------------------------------------------------------------------------------------

def chunk_bounds(n: int, size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``range(n)`` in chunks of ``size`` (the last shorter)."""
    if size < 1:
        raise ValueError(f"chunk size must be >= 1, found {size}")
    return [(i, min(i + size, n)) for i in range(0, n, size)]


def auto_chunk_size(seconds_per_item: float, n_items: int, workers: int) -> int:
    """Items per task so a task lasts about :data:`TARGET_TASK_SECONDS`, while every worker
    still gets at least two tasks (load balance) when there are enough items."""
    want = math.ceil(TARGET_TASK_SECONDS / max(seconds_per_item, 1e-9))
    most = max(1, math.ceil(n_items / (2 * max(workers, 1))))
    return int(min(max(want, 1), most))


# --------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------

def _worker_start(main_pid: int | None = None) -> None:
    """Workers leave Ctrl-C to the parent, which cancels what has not started and lets
    running chunks finish, so checkpoints stay whole and the pool shuts down cleanly. Each
    worker watches its parent (and the ``alliance`` process ``main_pid``) and exits as soon as
    either is gone, so a killed ``alliance`` leaves no orphan. Each worker loads the model's
    compiled kernels once, before its first chunk."""
    import signal

    from experiments.execution.compiled import compile_kernels
    from experiments.execution.orphans import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    _watch_parent(main_pid)
    compile_kernels()


def _parent_gone(parent: int, main_pid: int | None) -> bool:
    if os.getppid() != parent:  # reparented: the forkserver (or the main process) has died
        return True
    if main_pid is None:
        return False
    try:
        os.kill(main_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed parent not yet reaped is a zombie: gone too
        with open(f"/proc/{main_pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def _watch_parent(main_pid: int | None) -> None:
    """A daemon thread that ends this process within :data:`POLL_SECONDS` of its parent's
    death (a SIGKILLed parent cannot tell its workers to stop)."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while not _parent_gone(parent, main_pid):
            time.sleep(POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def check_executor_args(workers: int | None, scheduler: str | None) -> None:
    """The ``--workers`` and ``--scheduler`` of a command, checked before any work starts."""
    from experiments.io.errors import InputError

    if workers is not None and workers < 1:
        raise InputError(f"--workers: expected an integer >= 1; found {workers}")
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        raise InputError(f"--scheduler: expected tcp://HOST:PORT; found {scheduler!r}")


def _pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where available, its server importing the model once for all workers."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # the forkserver first asks to die with this process (experiments.execution.orphans)
        os.environ["ALLIANCE_POOL_PARENT"] = str(os.getpid())
        ctx.set_forkserver_preload(["experiments.execution.orphans", "simulation.engine"])
        return ctx
    return multiprocessing.get_context("spawn")


class Executor:
    """One pool (local processes or a Dask client) reused for every batch of an experiment.

    Parameters
    ----------
    workers : int or None
        Local processes; ``None`` means ``os.cpu_count()``; ``1`` runs in this process with
        no pool. Ignored with ``scheduler``.
    scheduler : str or None
        Address of a running Dask scheduler, ``"tcp://HOST:PORT"``.

    Use as a context manager; the pool starts on first use and stops on exit.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        if workers is not None and (not isinstance(workers, int) or workers < 1):
            raise ValueError(f"workers: expected an integer >= 1 or None; found {workers!r}")
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None

    # -- lifecycle --------------------------------------------------------------------
    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.close(interrupted=exc_type is not None and issubclass(exc_type, KeyboardInterrupt))

    def close(self, interrupted: bool = False) -> None:
        if self._pool is not None:
            if interrupted:
                # Ctrl-C or SIGTERM, possibly while the pool was still starting: running chunks
                # get INTERRUPT_GRACE seconds to finish, then the workers are ended, so an
                # interrupted pool start can never hang the command (seen once in CI: 60 s).
                procs = list((self._pool._processes or {}).values())
                self._pool.shutdown(wait=False, cancel_futures=True)
                deadline = time.monotonic() + INTERRUPT_GRACE
                for proc in procs:
                    proc.join(max(0.0, deadline - time.monotonic()))
                    if proc.is_alive():
                        proc.terminate()
            else:
                self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def parallel(self) -> bool:
        return self.scheduler is not None or self.workers > 1

    @property
    def processes_used(self) -> int:
        """Local processes that have run items so far: the pool's workers once it started,
        else 1 (this process)."""
        return self.workers if self._pool is not None else 1

    @property
    def slots(self) -> int:
        """How many tasks can run at once (for chunk sizing)."""
        if self.scheduler is not None:
            client = self._dask()
            return max(1, sum(w.get("nthreads", 1) for w in
                              client.scheduler_info(n_workers=-1)["workers"].values()))
        return self.workers

    def _dask(self) -> Any:
        if self._client is None:
            import queue
            import threading

            def none_answering(found: str) -> ResourceError:
                return ResourceError(
                    f"--scheduler {self.scheduler}: expected a Dask scheduler; found {found}; start "
                    "one with 'dask scheduler' or check the address")

            _reachable(self.scheduler, lambda exc: none_answering(
                f"none answering within {CONNECT_TIMEOUT:g} s ({type(exc).__name__})"))
            _quiet_client_deletion()
            # Dask retries past its own timeout on a peer that accepts but never answers: a
            # daemon thread connects, and this one waits CONNECT_TIMEOUT at most
            box: queue.Queue = queue.Queue()

            def connect() -> None:
                from dask.distributed import Client

                try:
                    box.put(Client(self.scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT))
                except Exception as exc:  # OSError, TimeoutError, a protocol error...
                    box.put(type(exc).__name__)  # not the exception: its frames hold the half-built
                    # client, whose deletion would wait 20 s at exit; it is deleted here instead

            threading.Thread(target=connect, name="dask-connect", daemon=True).start()
            try:
                got = box.get(timeout=CONNECT_TIMEOUT + 2)
            except queue.Empty:
                got = "TimeoutError"
            if isinstance(got, str):
                raise none_answering(f"something at that address that does not answer as one within "
                                     f"{CONNECT_TIMEOUT:g} s ({got})")
            self._client = got
        return self._client

    def _local(self) -> ProcessPoolExecutor:
        if self._pool is None:
            from experiments.execution.compiled import compile_kernels

            compile_kernels()  # here first: the workers load the cache instead of each compiling
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_pool_context(),
                                             initializer=_worker_start, initargs=(os.getpid(),))
        return self._pool

    # -- mapping ----------------------------------------------------------------------
    def map_chunks(self, fn: Callable[[Any], Any], chunks: Sequence[Sequence[Any]]
                   ) -> Iterator[tuple[int, list]]:
        """Yield ``(chunk index, results in item order)`` as chunks complete.

        The order of chunks is the completion order; callers that need input order index by
        the chunk number (as :meth:`map` does). The first failing run raises
        :class:`RunFailed` and cancels what has not started.
        """
        if not chunks:
            return
        if not self.parallel:
            yield from self._map_here(fn, chunks)
            return
        if self.scheduler is not None:
            yield from self._map_dask(fn, chunks)
            return
        pool = self._local()
        todo = enumerate(chunks)
        futures: dict[Any, int] = {}  # in flight: at most WINDOW chunks per slot

        def submit() -> None:
            for i, chunk in itertools.islice(todo, WINDOW * self.workers - len(futures)):
                futures[pool.submit(_apply_chunk, fn, list(chunk))] = i

        try:
            submit()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=futures.__getitem__):
                    i = futures.pop(fut)  # the result is no longer held once yielded
                    try:
                        status, payload = fut.result()
                    except BrokenProcessPool:
                        raise ResourceError(
                            "a local worker process died (killed, or out of memory)") from None
                    yield i, _unwrap(status, payload)
                submit()
        finally:
            for fut in futures:
                fut.cancel()

    def _map_dask(self, fn: Callable[[Any], Any], chunks: Sequence[Sequence[Any]]
                  ) -> Iterator[tuple[int, list]]:
        from dask.distributed import as_completed

        client = self._dask()
        lost = f"the Dask cluster at {self.scheduler} failed"
        todo = enumerate(chunks)
        index: dict[str, int] = {}  # in flight: at most WINDOW chunks per slot
        futures: dict[str, Any] = {}

        def submit(pending: Any = None) -> Any:
            new = []
            for i, chunk in itertools.islice(todo, WINDOW * slots - len(futures)):
                fut = client.submit(_apply_chunk, fn, list(chunk), pure=False)
                index[fut.key], futures[fut.key] = i, fut
                new.append(fut)
            if pending is None:
                return as_completed(new, loop=client.loop)  # no default client is set
            pending.update(new)
            return pending

        try:
            slots = self.slots
            pending = submit()
        except Exception as exc:
            raise ResourceError(f"{lost} ({type(exc).__name__}: {_short(exc, 1)})") from None
        quiet_since = time.monotonic()  # last time a chunk finished or a worker was seen
        try:
            while not pending.is_empty():
                # _apply_chunk returns a run's failure as data: anything raised here is the
                # cluster's (scheduler gone, a chunk's worker killed again and again)
                try:
                    done = pending.next_batch(block=False)
                    outs = [(index.pop(f.key), f.result()) for f in sorted(done, key=lambda f: index[f.key])]
                    for f in done:
                        futures.pop(f.key, None)
                    if done:
                        pending = submit(pending)
                except Exception as exc:
                    raise ResourceError(f"{lost} ({type(exc).__name__}: {_short(exc, 1)})") from None
                for i, (status, payload) in outs:
                    yield i, _unwrap(status, payload)
                if done:
                    quiet_since = time.monotonic()
                    continue
                if _count_workers(client) > 0:
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since > NO_WORKER_TIMEOUT:
                    raise ResourceError(
                        f"the Dask cluster at {self.scheduler} has had no worker (or no answering "
                        f"scheduler) for {NO_WORKER_TIMEOUT:g} s")
                time.sleep(POLL_SECONDS / 5)
        finally:
            try:
                client.cancel([f for f in futures.values() if not f.done()])
            except Exception:  # the scheduler may be gone: nothing left to cancel
                pass

    def _pays(self, seconds_here: float) -> bool:
        """Whether a local pool (started now, or already running) saves time on work that
        would take ``seconds_here`` in this process."""
        if self._pool is not None:
            return True
        saved = seconds_here * (1 - 1 / self.workers)
        return saved >= POOL_START_SECONDS

    @staticmethod
    def _map_here(fn: Callable[[Any], Any], chunks: Sequence[Sequence[Any]]
                  ) -> Iterator[tuple[int, list]]:
        for i, chunk in enumerate(chunks):
            yield i, _unwrap(*_apply_chunk(fn, chunk))

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], *, chunk_size: int | None = None,
            progress: bool = False, desc: str = "runs") -> list:
        """``[fn(item) for item in items]``, computed in chunks; see :func:`run_many`."""
        items = list(items)
        return list(self.imap(fn, items, len(items), chunk_size=chunk_size, progress=progress, desc=desc))

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any], total: int, *,
             chunk_size: int | None = None, progress: bool = False, desc: str = "runs") -> Iterator[Any]:
        """``fn(item)`` for each of the ``total`` items, yielded in input order as they are
        ready. Items are read as chunks are submitted (at most :data:`WINDOW` per worker in
        flight) and results are not kept once yielded, so a long sweep holds only a few
        chunks in memory (and the chunks that finished before an earlier, slower one)."""
        it = iter(items)
        bar = _progress_bar(total, desc) if progress else None
        start = 0
        try:
            if self.parallel and chunk_size is None and total > 0:
                # Time two items here (the first may pay imports and JIT loading); keep them.
                # CPU time measures the work itself, which other processes on a busy machine
                # do not inflate as they inflate wall time.
                probe = list(itertools.islice(it, 2))
                t0 = time.process_time()
                first = _unwrap(*_apply_chunk(fn, probe[:1]))[0]
                t1 = time.process_time()
                per_item = t1 - t0
                yield first
                if len(probe) == 2:
                    t1 = time.process_time()
                    second = _unwrap(*_apply_chunk(fn, probe[1:]))[0]
                    per_item = time.process_time() - t1
                    yield second
                start = len(probe)
                if bar is not None:
                    bar.update(start)
                here = self.scheduler is None and not self._pays(per_item * (total - start))
                chunk_size = auto_chunk_size(per_item, total - start, 1 if here else self.slots)
            else:
                here = not self.parallel
            size = 1 if here else chunk_size or max(1, total)  # here: one result held at a time
            chunks = iter(lambda: list(itertools.islice(it, size)), [])
            mapped = self._map_here(fn, chunks) if here else self.map_chunks(fn, chunks)
            ready: dict[int, list] = {}
            nxt = 0
            for i, out in mapped:
                ready[i] = out
                while nxt in ready:
                    done = ready.pop(nxt)
                    nxt += 1
                    yield from done
                    if bar is not None:
                        bar.update(len(done))
        finally:
            if bar is not None:
                bar.close()


def _quiet_client_deletion() -> None:
    """A Dask client that failed half-way complains when it is deleted, later, with a
    traceback: that complaint is dropped (the failure itself was said in one line)."""
    import sys

    previous = sys.unraisablehook
    if getattr(previous, "alliance", False):
        return

    def hook(unraisable: Any) -> None:
        if getattr(unraisable.object, "__qualname__", "") != "Client.__del__":
            previous(unraisable)
    hook.alliance = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


def _reachable(address: str, error: Callable[[BaseException], Exception]) -> None:
    """Raise ``error(exc)`` unless a TCP connection to the scheduler's host and port opens
    within :data:`CONNECT_TIMEOUT` (an address that drops packets would otherwise hold
    Dask's own retries for half a minute)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or parts.port is None:
        return
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_TIMEOUT).close()
    except (OSError, ValueError) as exc:  # refused, timed out, unknown host, bad port
        raise error(exc) from None


def _count_workers(client: Any) -> int:
    """Workers the scheduler knows now; a scheduler that does not answer counts as none."""
    try:
        return len(client.scheduler_info(n_workers=-1)["workers"])
    except Exception:
        return 0


def _progress_bar(total: int, desc: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="run", smoothing=0.05)


def run_many(fn: Callable[[Any], Any], items: Iterable[Any], *, workers: int | None = None,
             scheduler: str | None = None, chunk_size: int | None = None, progress: bool = False,
             desc: str = "runs") -> list:
    """Map a top-level (picklable) ``fn`` over ``items``; results in input order.

    Parameters
    ----------
    fn : callable
        A module-level function of one argument (workers import it by name).
    items : iterable
        The arguments; each must be picklable.
    workers : int or None
        Local processes: ``None`` is ``os.cpu_count()``; ``1`` runs in this process.
    scheduler : str or None
        ``"tcp://HOST:PORT"`` of a running Dask scheduler; overrides ``workers``.
    chunk_size : int or None
        Items per task; ``None`` times two items here and picks a size so that a task lasts
        about 0.2 s while every worker gets at least two tasks.
    progress : bool
        Show a tqdm progress bar with the estimated time left.
    desc : str
        Label of the progress bar.

    Returns
    -------
    list
        ``fn(item)`` for every item, in the order of ``items``.

    Raises
    ------
    RunFailed
        When ``fn`` raises for an item; the message names the item (its parameters and
        seed) and the remaining tasks are cancelled.
    """
    with Executor(workers=workers, scheduler=scheduler) as ex:
        return ex.map(fn, items, chunk_size=chunk_size, progress=progress, desc=desc)
