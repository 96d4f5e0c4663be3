"""Sensitivity experiments: which levers and structural factors move the model's outcomes.

``alliance sensitivity SPEC`` reads a spec (:mod:`experiments.sensitivity.spec`), runs a pilot at the
base scenario to measure seed noise and choose the replications, runs the SALib design
(Morris elementary effects or Sobol indices) with common random numbers, analyses it
(:mod:`experiments.sensitivity.analysis`) and writes ``results/<UTC time>-<spec>/`` (:mod:`experiments.sensitivity.report`);
the design tables and checkpoints live in :mod:`experiments.sensitivity.runs`.

Noise, following ten Broeke et al. (2016):

* Common random numbers: design point ``i`` and replication ``r`` run with seed
  ``first_seed + block(i) * R + r``. The block is set by the **dummy** factor alone, which
  the model never reads. Under strict common random numbers a never-read factor has an index
  of exactly zero and says nothing about noise; here moving the dummy changes nothing but the
  random numbers, so its index is the size an index reaches from seed noise alone: the noise
  floor. Every step or column that moves a real factor keeps the dummy, hence the seeds, so
  real effects are estimated with common random numbers. Without a dummy every point uses
  the same seeds.
* Replications: ``replications = "auto"`` takes the smallest R for which seed noise is under
  ``pilot.target`` (10%) of the variance of the averaged output, from a pilot (the base
  scenario plus random points, each at ``pilot.seeds`` seeds); the achieved share is measured
  again on the design itself and reported.
* Any failing or non-finite run stops the experiment with an error naming its parameters and
  seed (:class:`~experiments.io.errors.RunFailed`); nothing is dropped.

Runs are checkpointed in chunks (``checkpoint/*.parquet``); ``--resume DIR`` recomputes only
the missing chunks and, since every result is read back from the checkpoint files in design
order, gives exactly the results of an uninterrupted run, whatever the executor.

References
----------
ten Broeke, G., van Voorn, G. & Ligtenberg, A. (2016). Which sensitivity analysis method
should I use for my agent-based model? JASSS 19(1), 5. https://doi.org/10.18564/jasss.2857
Morris, M. D. (1991). Technometrics 33(2), 161-174. https://doi.org/10.1080/00401706.1991.10484804
Campolongo, F., Cariboni, J. & Saltelli, A. (2007). Environ. Model. Softw. 22, 1509-1518.
https://doi.org/10.1016/j.envsoft.2006.10.004
Sobol, I. M. (2001). Math. Comput. Simul. 55, 271-280. https://doi.org/10.1016/S0378-4754(00)00270-6
Saltelli, A. et al. (2010). Comput. Phys. Commun. 181, 259-270. https://doi.org/10.1016/j.cpc.2009.09.018
Herman, J. & Usher, W. (2017). SALib. JOSS 2(9), 97. https://doi.org/10.21105/joss.00097
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from experiments.execution.executor import Executor
from experiments.io.errors import InputError, ResourceError, RunFailed
from experiments.io.results import kept, repair_folder, write_atomic
from experiments.sensitivity.runs import choose_replications, design_parts, execute, pilot_table, run_table
from experiments.sensitivity.spec import Spec, load_spec

__all__ = ["choose_replications", "design_parts", "dry_run", "evaluate_runs", "register",
           "run_experiment", "run_table"]

RESULTS = Path("results")


# --------------------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------------------

def evaluate_runs(chunk: dict) -> list[dict[str, float]]:
    """Run every ``(values, seed)`` of a chunk; the function executors map (top level).

    ``chunk`` holds ``model`` (``"simulation"`` or ``"module:function"``), ``base`` (the
    full parameter dict, for the simulation) and ``runs``: ``[(values by path, seed), ...]``.
    """
    from experiments.execution.executor import run_model

    model = chunk["model"]
    out = []
    if model == "simulation":
        from simulation.params import set_dotted

        for values, seed in chunk["runs"]:
            params = copy.deepcopy(chunk["base"])
            for path, value in values.items():
                set_dotted(params, path, value, "design")
            params["run"]["seed"] = int(seed)
            out.append(run_model({"params": params, "varied": values, "series": False})["summary"])
        return out
    from experiments.sensitivity.spec import resolve_model

    fn = resolve_model(model, "spec")
    for values, seed in chunk["runs"]:
        try:
            summary = {k: float(v) for k, v in fn(values, int(seed)).items()}
        except Exception as exc:
            raise RunFailed(f"run failed for seed {seed}, varied parameters {values}: "
                            f"{type(exc).__name__}: {exc}", dict(values), int(seed)) from exc
        bad = {k: v for k, v in summary.items() if not math.isfinite(v)}
        if bad:
            raise RunFailed(f"non-finite outcome(s) {bad} for seed {seed}, varied parameters {values}",
                            dict(values), int(seed))
        out.append(summary)
    return out


# --------------------------------------------------------------------------------------
# The experiment
# --------------------------------------------------------------------------------------

def base_params(spec: Spec) -> dict | None:
    """The full parameter dict every run starts from: base scenario plus the fixed overrides."""
    if not spec.is_simulation:
        return None
    from simulation import ParameterError, Params

    if spec.base == "defaults":
        params = Params()
    else:
        from experiments.io.scenarios import load

        try:
            params = load(spec.base).params
        except InputError as exc:
            raise InputError(f"{spec.path or spec.name}: key 'base': {exc}") from None
    try:
        return params.with_overrides(spec.overrides, source=f"{spec.path} [overrides]").model_dump()
    except ParameterError as exc:
        raise InputError(str(exc)) from None


def model_fingerprint(spec: Spec) -> str:
    """SHA-256 (first 16 hex digits) of the model's source files: the ``simulation``
    package, or the module of a test model. ``--resume`` refuses a changed model."""
    import hashlib
    import importlib.util

    name = "simulation" if spec.is_simulation else spec.model.partition(":")[0]
    found = importlib.util.find_spec(name)
    if found is None or found.origin is None:
        return "unknown"
    origin = Path(found.origin)
    files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(origin.parent)).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def new_folder(spec: Spec, out: Path = RESULTS) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for i in range(1, 1000):
        folder = out / (f"{stamp}-{spec.name}" if i == 1 else f"{stamp}-{spec.name}-{i}")
        try:
            (folder / "checkpoint").mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"{out}: expected a writable results folder; found {exc.strerror}") from None
    raise InputError(f"{out}: expected a free folder name for {stamp}-{spec.name}; found all taken")


def run_experiment(spec_path: str | Path | None = None, *, resume: str | Path | None = None,
                   workers: int | None = None, scheduler: str | None = None,
                   out: Path = RESULTS, progress: bool = True) -> Path:
    """Run (or resume) an experiment and write its results folder; return the folder."""
    from experiments.sensitivity import report as sens_report

    started = time.perf_counter()
    if resume is not None:
        folder = Path(resume)
        if not (folder / "spec.toml").exists():
            raise InputError(f"--resume {folder}: expected a sensitivity results folder with spec.toml; "
                             "found none")
        spec = load_spec(folder / "spec.toml")
        saved, base = repair_folder(folder, spec, base_params, model_fingerprint, progress)
        spec = _renamed(spec, saved["name"])
        now = model_fingerprint(spec)
        if saved.get("model_fingerprint") != now:
            raise InputError(f"--resume {folder}: expected the model code that wrote the checkpoints "
                             f"(fingerprint {saved.get('model_fingerprint')}); found {now}: the model "
                             "changed, so old and new runs would mix; start a new experiment")
    else:
        if spec_path is None:
            raise InputError("sensitivity: expected a SPEC file or --resume DIR; found neither")
        spec = load_spec(spec_path)
        base = base_params(spec)
        folder = new_folder(spec, out)
        write_atomic(folder / "spec.toml", spec.path.read_bytes())
        write_atomic(folder / "base_params.json", json.dumps(base, indent=1) + "\n")
        write_atomic(folder / "experiment.json", json.dumps(
            {"name": spec.name, "spec": str(spec_path), "model_fingerprint": model_fingerprint(spec)}) + "\n")
    if progress:
        print(f"results folder: {folder}", file=sys.stderr)
    try:
        with Executor(workers=workers, scheduler=scheduler) as ex:
            ptable = pilot_table(spec)
            pilot = execute(spec, ptable, folder, "pilot", ex, base, progress, evaluate_runs)
            reps, pilot_stats = choose_replications(spec, pilot)
            parts = design_parts(spec)
            table = run_table(spec, parts, reps)
            outcomes = execute(spec, table, folder, "runs", ex, base, progress, evaluate_runs)
    except KeyboardInterrupt as exc:
        raise Interrupted(folder) from exc
    except (ResourceError, OSError) as exc:  # disk full, cluster lost: the finished chunks stay
        raise kept(exc, folder) from None
    wall = time.perf_counter() - started
    try:
        sens_report.write_all(folder, spec=spec, parts=parts, table=table, outcomes=outcomes, reps=reps,
                              pilot=pilot.merge(ptable, on="run"), pilot_stats=pilot_stats, base=base,
                              wall_seconds=wall, workers=None if scheduler else (workers or ex.workers),
                              scheduler=scheduler)
    except OSError as exc:
        raise kept(exc, folder) from None
    return folder


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during an experiment; ``folder`` keeps the finished chunks."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder


def _renamed(spec: Spec, name: str) -> Spec:
    from dataclasses import replace

    return replace(spec, name=name)


def dry_run(spec_path: str | Path, workers: int | None) -> str:
    """Number of runs and an estimated duration, timing two runs of the base scenario here
    (the centre of the ranges for a test model), after one untimed warm-up run."""
    spec = load_spec(spec_path)
    base = base_params(spec)
    points = spec.design_points()  # counted: a dry run never allocates the design
    pilot = (spec.pilot["points"] + 1) * spec.pilot["seeds"]
    centre = {f.path: f.value(0.5) for f in spec.factors} if not spec.is_simulation else {}
    chunk = {"model": spec.model, "base": base,
             "runs": [(centre, spec.first_seed), (centre, spec.first_seed + 1)]}
    evaluate_runs({**chunk, "runs": chunk["runs"][:1]})  # imports and compiled kernels
    t0 = time.perf_counter()
    evaluate_runs(chunk)
    per_run = (time.perf_counter() - t0) / 2
    w = workers or Executor().workers
    lines = [f"{spec.name}: {spec.method}, {len(spec.all_factors)} factors (dummy included), "
             f"{points} design points, pilot {pilot} runs"]
    reps = ([spec.replications] if spec.replications != "auto" else [2, spec.max_replications])
    for r in reps:
        n = pilot + points * r
        lines.append(f"  replications {r}: {n} runs, about {_duration(n * per_run / w)} on {w} workers "
                     f"({per_run * 1000:.1f} ms per run measured here)")
    if spec.replications == "auto":
        lines.append("  replications are chosen by the pilot (between the two lines above)")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

def register(subparsers: Any) -> None:
    """Add ``alliance sensitivity`` to the command's subparsers."""
    p = subparsers.add_parser("sensitivity", help="Morris or Sobol sensitivity experiment from a spec",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("spec", nargs="?", help="experiment spec (.toml), e.g. experiments/levers_morris.toml")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address tcp://HOST:PORT")
    p.add_argument("--resume", default=None, metavar="DIR", help="finish an interrupted experiment")
    p.add_argument("--out", default=str(RESULTS), help="parent folder of results (default: results)")
    p.add_argument("--dry-run", action="store_true", help="print the number of runs and an estimated duration")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: expected an integer >= 1; found {args.workers}")
    if args.scheduler is not None and not args.scheduler.startswith(("tcp://", "tls://", "inproc://")):
        raise InputError(f"--scheduler: expected tcp://HOST:PORT; found {args.scheduler!r}")
    if args.dry_run:
        if args.spec is None:
            raise InputError("sensitivity --dry-run: expected a SPEC file; found none")
        print(dry_run(args.spec, args.workers))
        return 0
    try:
        folder = run_experiment(args.spec, resume=args.resume, workers=args.workers,
                                scheduler=args.scheduler, out=Path(args.out), progress=not args.quiet)
    except Interrupted as exc:
        print(f"alliance: interrupted; finished chunks are kept: resume with "
              f"'alliance sensitivity --resume {exc.folder}'", file=sys.stderr)
        return 130
    print(f"results: {folder}")
    return 0
