"""Sensitivity experiments: which levers and structural factors move the model's outcomes.

``alliance sensitivity SPEC`` reads a spec (:mod:`experiments.sensitivity.spec`), runs a pilot
measuring the seed noise, runs the design (stage 1: regression on a space-filling design;
stage 2: Sobol' indices on independent scrambles; or Morris), tests every factor's effect
(:mod:`experiments.sensitivity.analysis`) and writes ``results/<UTC time>-<spec>/``
(:mod:`experiments.sensitivity.report`, ``ranking.md`` by :mod:`experiments.sensitivity.ranking`);
the design tables and checkpoints live in :mod:`experiments.sensitivity.runs`.

* Every run has its own seed; the seed noise is measured (pilot, within-point variance or
  the dummy) and removed from the indices rather than cancelled by shared seeds, whose
  cancellation is imperfect once a lever changes the random stream.
* ``--precision H`` (Sobol'): after the spec's scrambles, more independent scrambles are run
  until the half-width of every total index's interval is at most H (up to
  ``sobol.max_scrambles``).
* Any failing or non-finite run stops the experiment with an error naming its parameters and
  seed (:class:`~experiments.io.errors.RunFailed`); nothing is dropped.

Runs are checkpointed in chunks (``checkpoint/*.parquet``); ``--resume DIR`` recomputes only
the missing chunks and, since every result is read back from the checkpoint files in design
order, gives exactly the results of an uninterrupted run, whatever the executor.

References
----------
ten Broeke, G., van Voorn, G. & Ligtenberg, A. (2016). Which sensitivity analysis method
should I use for my agent-based model? JASSS 19(1), 5. https://doi.org/10.18564/jasss.2857
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
from pathlib import Path
from typing import Any

from experiments.execution.executor import Executor, check_executor_args
from experiments.io.errors import InputError, ResourceError, RunFailed
from experiments.io.results import kept, lock_folder, repair_folder, write_atomic
from experiments.sensitivity.runs import design_parts, execute, pilot_noise, pilot_table, run_table
from experiments.sensitivity.spec import Spec, load_spec

__all__ = ["design_parts", "dry_run", "evaluate_runs", "register", "run_experiment", "run_table"]

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
    from experiments.io.provenance import utc_stamp

    stamp = utc_stamp()
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
                   out: Path = RESULTS, progress: bool = True, precision: float | None = None) -> Path:
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
        precision = saved.get("precision")
        now = model_fingerprint(spec)
        if saved.get("model_fingerprint") != now:
            raise InputError(f"--resume {folder}: expected the model code that wrote the checkpoints "
                             f"(fingerprint {saved.get('model_fingerprint')}); found {now}: the model "
                             "changed, so old and new runs would mix; start a new experiment")
    else:
        if spec_path is None:
            raise InputError("sensitivity: expected a SPEC file or --resume DIR; found neither")
        spec = load_spec(spec_path)
        if precision is not None and spec.method != "sobol":
            raise InputError(f"--precision: expected a spec with method = \"sobol\"; found {spec.method!r}")
        base = base_params(spec)
        folder = new_folder(spec, out)
        lock_folder(folder, "sensitivity")  # a --resume of it while this runs is refused
        write_atomic(folder / "spec.toml", spec.path.read_bytes())
        write_atomic(folder / "base_params.json", json.dumps(base, indent=1) + "\n")
        write_atomic(folder / "experiment.json", json.dumps(
            {"name": spec.name, "spec": str(spec_path), "model_fingerprint": model_fingerprint(spec),
             "precision": precision}) + "\n")
    if progress:
        print(f"results folder: {folder}", file=sys.stderr)
    reps = spec.replications
    try:
        with Executor(workers=workers, scheduler=scheduler) as ex:
            ptable = pilot_table(spec)
            pilot = execute(spec, ptable, folder, "pilot", ex, base, progress, evaluate_runs)
            pilot_stats = pilot_noise(spec, pilot)
            parts = design_parts(spec)
            table = run_table(spec, parts, reps, offset=len(ptable))
            outcomes = execute(spec, table, folder, "runs", ex, base, progress, evaluate_runs)
            if precision is not None:
                parts, table, outcomes = _to_precision(spec, precision, folder, ex, base, progress,
                                                       parts, table, outcomes, len(ptable), pilot_stats)
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


def half_width(spec: Spec, parts: dict, table: Any, outcomes: Any, pilot_stats: dict) -> float:
    """The largest half-width of a factor's total-index interval (the dummy and the noise aside)."""
    from experiments.sensitivity import report as sens_report
    from experiments.sensitivity.spec import DUMMY

    ind, _ = sens_report.analyse(spec, parts, table, outcomes, spec.replications, pilot_stats)
    st = ind[(ind["index"] == "ST") & (ind["factor"] != DUMMY)]
    return float(((st["ci_high"] - st["ci_low"]) / 2).max())


def scrambles_for(k: int, h: float, target: float, cap: int, confidence: float) -> int:
    """Scrambles for a half-width ``target``, from ``h`` measured on ``k``: the half-width is
    t_{K-1} * sd / sqrt(K), sd unchanged."""
    from scipy import stats

    q = stats.t.ppf(0.5 + confidence / 2, k - 1)
    for kk in range(k, cap + 1):
        if h * stats.t.ppf(0.5 + confidence / 2, kk - 1) / q * math.sqrt(k / kk) <= target:
            return kk
    return cap


def _to_precision(spec: Spec, target: float, folder: Path, ex: Executor, base: dict | None, progress: bool,
                  parts: dict, table: Any, outcomes: Any, offset: int, pilot_stats: dict) -> tuple:
    import pandas as pd

    k = len(parts)
    saved = json.loads((folder / "experiment.json").read_text())
    more = saved.get("scrambles")
    if more is None:
        h = half_width(spec, parts, table, outcomes, pilot_stats)
        more = scrambles_for(k, h, target, spec.sobol["max_scrambles"], spec.statistics["confidence"])
        saved.update(scrambles=more, half_width_first=h)
        (folder / "experiment.json").write_text(json.dumps(saved) + "\n")
        if progress:
            print(f"--precision {target}: half-width {h:.3g} on {k} scrambles; running {more}", file=sys.stderr)
    if more <= k:
        return parts, table, outcomes
    parts = design_parts(spec, scrambles=more)
    full = run_table(spec, parts, spec.replications, offset=offset)
    extra = full.iloc[len(table):].reset_index(drop=True)
    extra["run"] = range(len(extra))
    got = execute(spec, extra, folder, "more", ex, base, progress, evaluate_runs)
    got["run"] = got["run"] + len(table)
    return parts, full, pd.concat([outcomes, got], ignore_index=True)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during an experiment; ``folder`` keeps the finished chunks."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder


def _renamed(spec: Spec, name: str) -> Spec:
    from dataclasses import replace

    return replace(spec, name=name)


def dry_run(spec_path: str | Path, workers: int | None, scheduler: str | None = None) -> str:
    """Number of runs and an estimated duration, measured here: the pool's start and first
    chunk (imports, compiled kernels), then a sample of the design's own runs on every
    worker, and the analysis and report of one outcome on the design's real shape (random
    outputs), times the number of outcomes."""
    import numpy as np

    from experiments.sensitivity import report as sens_report

    spec = load_spec(spec_path)
    base = base_params(spec)
    ptable = pilot_table(spec)
    parts = design_parts(spec)
    reps = spec.replications
    table = run_table(spec, parts, reps, offset=len(ptable))
    n = len(ptable) + len(table)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    with Executor(workers=workers, scheduler=scheduler) as ex:
        w = ex.slots
        sample = table.iloc[np.sort(rng.choice(len(table), size=min(len(table), 8 * w), replace=False))]
        runs = [(_values_of(spec, r), int(r["seed"])) for _, r in sample.iterrows()]
        chunks = [[{"model": spec.model, "base": base, "runs": runs[i:i + 1]}] for i in range(w)]
        list(ex.map_chunks(evaluate_runs, chunks))
        start = time.perf_counter() - t0
        rest = runs[w:]
        size = max(1, len(rest) // w)
        chunks = [[{"model": spec.model, "base": base, "runs": rest[i:i + size]}] for i in range(0, len(rest), size)]
        t1 = time.perf_counter()
        list(ex.map_chunks(evaluate_runs, chunks))
        per_run = (time.perf_counter() - t1) / max(len(rest), 1)
    one = spec.outcomes[:1]
    fake_spec = _with_outcomes(spec, one)  # random outputs: no emulator (timed apart, if ever)
    import tempfile

    import pandas as pd

    fake = pd.DataFrame({"run": range(len(table)), one[0]: rng.normal(size=len(table))})
    pilot = ptable.assign(**{one[0]: rng.normal(size=len(ptable))})
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:  # the whole report stage, for one outcome
        sens_report.write_all(Path(tmp), spec=fake_spec, parts=parts, table=table, outcomes=fake, reps=reps,
                              pilot=pilot, pilot_stats={one[0]: {"seed_var": 0.5}}, base=base, wall_seconds=1.0,
                              workers=w, scheduler=scheduler)
    analysis_s = (time.perf_counter() - t2) * len(spec.outcomes)
    total = start + (n - w) * per_run + analysis_s
    lines = [f"{spec.name}: {spec.method}, {len(spec.all_factors)} factors (dummy included), {len(parts)} part(s), "
             f"{len(table) // reps} design points x {reps} replication(s) + pilot {len(ptable)} = {n} runs",
             f"  about {_duration(total)} on {w} workers: pool start {start:.1f} s, "
             f"{per_run * 1000:.1f} ms per run per pool ({len(runs)} design runs timed here), "
             f"analysis and report {analysis_s:.1f} s"]
    if spec.method == "regression" and spec.regression["emulator_below"] > 0:
        lines.append("  (not included: a Gaussian-process emulator, fitted only where the linear fit is poor)")
    return "\n".join(lines)


def _values_of(spec: Spec, row: Any) -> dict:
    import pandas as pd

    from experiments.sensitivity.runs import _values

    return _values(spec, {k[2:]: v for k, v in row.items() if k.startswith("u_") and not pd.isna(v)})


def _with_outcomes(spec: Spec, outcomes: tuple[str, ...]) -> Spec:
    from dataclasses import replace

    return replace(spec, outcomes=tuple(outcomes), regression={**spec.regression, "emulator_below": 0.0})


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
    p.add_argument("--precision", type=float, default=None, metavar="H",
                   help="Sobol: add independent scrambles until every total index's interval half-width is <= H")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    check_executor_args(args.workers, args.scheduler)
    if args.precision is not None and not 0 < args.precision < 1:
        raise InputError(f"--precision: expected a half-width in (0, 1), e.g. 0.02; found {args.precision}")
    if args.dry_run:
        if args.spec is None:
            raise InputError("sensitivity --dry-run: expected a SPEC file; found none")
        print(dry_run(args.spec, args.workers, args.scheduler))
        return 0
    try:
        folder = run_experiment(args.spec, resume=args.resume, workers=args.workers,
                                scheduler=args.scheduler, out=Path(args.out), progress=not args.quiet,
                                precision=args.precision)
    except Interrupted as exc:
        print(f"alliance: interrupted; finished chunks are kept: resume with "
              f"'alliance sensitivity --resume {exc.folder}'", file=sys.stderr)
        return 130
    print(f"results: {folder}")
    return 0
