"""Running a calibration: ABC-SMC through the project's executor, then the checks.

Reads a calibration spec (:mod:`experiments.calibration.spec`), runs ABC-SMC
(:mod:`experiments.calibration.smc`) through the project's executor (in this process, a local
pool or a Dask cluster), then a posterior predictive check, and writes
``results/<UTC time>-<spec>/`` (:mod:`experiments.calibration.report`).

Seeds: simulation ``i`` of batch ``b`` of generation ``t`` runs its ``R_t`` replications
(``replications``, ``[abc] final_replications`` in the last ``final_generations``, ``[check]
replications`` in the check) with seeds ``first_seed + R * (t * 10**9 + b * 10**5 + i) + r``,
``R`` the largest of those counts (so ``r < R``: no two runs share a seed); the check before calibration
(the base parameters) uses ``t = 98``, the posterior predictive check ``t = 99`` and the
re-weighting of the last population on fresh seeds (``[abc] refresh`` blocks) ``t = 97``. Each
finished batch is written at once to ``checkpoint/g<t>-b<b>.parquet`` (under a temporary
name, then renamed); ``--resume DIR`` recomputes only the missing batches and, since the
algorithm draws its proposals from the spec's seed alone, gives exactly the posterior of an
uninterrupted run, on any number of workers.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.execution.executor import Executor
from experiments.io.errors import InputError, ResourceError

from .integrity import check_posterior
from .smc import refresh, run_smc
from .spec import CalibrationSpec, load_calibration

RESULTS = Path("results")
T_REFRESH, T_BEFORE, T_AFTER = 97, 98, 99


def seed_stride(spec: CalibrationSpec) -> int:
    """The largest number of seeds per parameter set anywhere in the calibration."""
    return max(spec.replications_at(t) for t in (0, spec.abc.generations - 1, T_AFTER))


def seed_of(spec: CalibrationSpec, t: int, b: int, i: int, r: int) -> int:
    return spec.first_seed + seed_stride(spec) * (t * 10**9 + b * 10**5 + i) + r


def base_params(spec: CalibrationSpec) -> dict | None:
    """The full parameter dict every simulation starts from (None for a test model)."""
    if not spec.is_simulation:
        return None
    from experiments.sensitivity.command import base_params as sens_base

    return sens_base(spec)  # same fields: base, overrides, path, name, is_simulation


def values_at(spec: CalibrationSpec, u: np.ndarray) -> dict[str, Any]:
    """Parameter values by dotted path at unit coordinates ``u``."""
    return {f.path: f.value(float(x)) for f, x in zip(spec.parameters, u, strict=True)}


class Simulator:
    """Runs batches of parameter sets and caches each batch's patterns in the checkpoint."""

    def __init__(self, spec: CalibrationSpec, folder: Path, base: dict | None, ex: Executor,
                 progress: bool):
        self.spec, self.folder, self.base, self.ex, self.progress = spec, folder, base, ex, progress
        self.keys = [t.key for t in spec.targets]
        self.ucols = [f"u_{f.name}" for f in spec.parameters]
        self.computed = 0
        self.bar = None

    def file(self, t: int, b: int) -> Path:
        return self.folder / "checkpoint" / f"g{t:02d}-b{b:05d}.parquet"

    def batch(self, t: int, b: int, points: np.ndarray | None, fixed: dict | None = None) -> pd.DataFrame:
        """Mean pattern over the replications of each row of ``points`` (unit coordinates),
        or of ``fixed`` parameters (``points`` None: one row per draw of the check)."""
        path = self.file(t, b)
        if path.exists():
            try:
                df = pd.read_parquet(path)
            except (OSError, ValueError) as exc:
                raise InputError(f"{path}: expected a checkpoint of this calibration; found an unreadable "
                                 f"file ({type(exc).__name__}): delete it and resume") from None
            if points is not None and (len(df) != len(points) or not np.allclose(
                    df[self.ucols].to_numpy(), points, rtol=0, atol=1e-12)):
                raise InputError(f"{path}: expected the checkpoint of this calibration (same spec "
                                 "and seed); found other parameter sets")
            return df
        spec, reps = self.spec, self.spec.replications_at(t)
        n = len(points) if points is not None else spec.draws
        runs = []
        for i in range(n):
            values = values_at(spec, points[i]) if points is not None else dict(fixed or {})
            runs += [(values, seed_of(spec, t, b, i, r)) for r in range(reps)]
        out = self._execute(runs)
        y = np.array([[o.get(k, math.nan) for k in self.keys] for o in out], dtype=float)
        missing = [k for j, k in enumerate(self.keys) if np.isnan(y[:, j]).all()]
        if missing:
            found = ", ".join(sorted(out[0])) if out else "nothing"
            raise InputError(f"{spec.path or spec.name}: key 'targets': expected outcomes the model "
                             f"returns ({found}); found {missing}")
        with np.errstate(all="ignore"), warnings.catch_warnings():  # all-NaN: undefined in every replication
            warnings.simplefilter("ignore", RuntimeWarning)
            df = pd.DataFrame(np.nanmean(y.reshape(n, reps, -1), axis=1), columns=self.keys)
        if points is not None:
            for j, c in enumerate(self.ucols):
                df.insert(j, c, points[:, j])
        tmp = path.with_suffix(".tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(path)
        return df

    def _execute(self, runs: list) -> list[dict[str, float]]:
        from experiments.sensitivity.command import evaluate_runs

        slots = self.ex.slots if self.ex.parallel else 1
        size = max(1, math.ceil(len(runs) / (2 * slots))) if self.ex.parallel else len(runs)
        chunks = [[{"model": self.spec.model, "base": self.base, "runs": runs[a:a + size]}]
                  for a in range(0, len(runs), size)]
        results: list = [None] * len(chunks)
        for k, (out,) in self.ex.map_chunks(evaluate_runs, chunks):
            results[k] = out
            if self.bar is not None:
                self.bar.update(len(out))
        self.computed += len(runs)
        return [o for chunk in results for o in chunk]

    def smc_simulate(self, t: int, b: int, points: np.ndarray) -> np.ndarray:
        df = self.batch(t, b, points)
        return df[[x.key for x in self.spec.fitted]].to_numpy()


def run_calibration(spec_path: str | Path | None = None, *, quick: bool = False,
                    resume: str | Path | None = None, workers: int | None = None,
                    scheduler: str | None = None, out: Path = RESULTS, progress: bool = True) -> Path:
    """Run (or resume) a calibration and write its results folder; return the folder."""
    from experiments.sensitivity.command import Interrupted, model_fingerprint, new_folder

    from . import report

    started = time.perf_counter()
    if resume is not None:
        folder = Path(resume)
        spec, quick, saved = saved_spec(folder, "--resume")
        base = json.loads((folder / "base_params.json").read_text())
        now = model_fingerprint(spec)
        if saved.get("model_fingerprint") != now:
            raise InputError(f"--resume {folder}: expected the model code that wrote the checkpoints "
                             f"(fingerprint {saved.get('model_fingerprint')}); found {now}: the model "
                             "changed, so old and new runs would mix; start a new calibration")
    else:
        if spec_path is None:
            raise InputError("calibrate: expected a SPEC file or --resume DIR; found neither")
        spec = load_calibration(spec_path)
        if quick:
            spec = spec.quick_version()
        base = base_params(spec)
        folder = new_folder(spec, out)
        shutil.copyfile(spec.path, folder / "spec.toml")
        (folder / "base_params.json").write_text(json.dumps(base, indent=1) + "\n")
        (folder / "experiment.json").write_text(json.dumps(
            {"kind": "calibration", "name": spec.name, "spec": str(spec_path), "quick": quick,
             "model_fingerprint": model_fingerprint(spec)}) + "\n")
    if progress:
        print(f"results folder: {folder}", file=sys.stderr)
    fitted = spec.fitted
    observed = np.array([t.figure for t in fitted])
    floor = np.array([(t.high - t.low) / 20 for t in fitted])
    try:
        with Executor(workers=workers, scheduler=scheduler) as ex:
            sim = Simulator(spec, folder, base, ex, progress)
            if progress:
                from tqdm.auto import tqdm

                sim.bar = tqdm(desc=f"{spec.name} simulations", unit="run", smoothing=0.05)

            def say(gen, res):
                if progress:
                    sim.bar.write(f"generation {gen.t}: tolerance {gen.epsilon:.3g}, acceptance "
                                  f"{gen.acceptance:.2f}, effective sample size {gen.ess:.0f}")
            try:
                result = run_smc(sim.smc_simulate, len(spec.parameters), observed, floor, spec.abc, say)
                result = refresh(result, lambda b, pts: sim.smc_simulate(T_REFRESH, b, pts), observed,
                                 spec.abc.refresh)
                if progress and result.refreshed:
                    r = result.refreshed
                    sim.bar.write(f"re-weighted on {r['blocks']} blocks of fresh seeds: "
                                  f"{r['hit_share']:.0%} of the weight within tolerance again, "
                                  f"effective sample size {r['ess_smc']:.0f} -> {r['ess']:.0f}")
                before = sim.batch(T_BEFORE, 0, None, fixed=_centre(spec))
                after = sim.batch(T_AFTER, 0, posterior_draws(spec, result.last.points, result.last.weights))
            finally:
                if sim.bar is not None:
                    sim.bar.close()
    except KeyboardInterrupt as exc:
        raise Interrupted(folder) from exc
    except (ResourceError, OSError) as exc:  # disk full, cluster lost: the finished batches stay
        from experiments.io.results import kept

        raise kept(exc, folder, "calibrate") from None
    report.write_all(folder, spec=spec, result=result, before=before, after=after, quick=quick,
                     wall_seconds=time.perf_counter() - started, computed=sim.computed,
                     workers=None if scheduler else (workers or ex.workers), scheduler=scheduler)
    return folder


def saved_spec(folder: Path, option: str) -> tuple[CalibrationSpec, bool, dict]:
    """The spec, quick flag and experiment.json of a calibration results folder."""
    from dataclasses import replace

    if not (folder / "spec.toml").exists() or not (folder / "experiment.json").exists():
        raise InputError(f"{option} {folder}: expected a calibration results folder with spec.toml "
                         "and experiment.json; found none")
    try:
        saved = json.loads((folder / "experiment.json").read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{option} {folder}: expected a readable experiment.json; found {exc}") from None
    if not isinstance(saved, dict) or saved.get("kind") != "calibration":
        kind = saved.get("kind", "sensitivity") if isinstance(saved, dict) else type(saved).__name__
        raise InputError(f"{option} {folder}: expected a calibration results folder; found a {kind} folder")
    spec = replace(load_calibration(folder / "spec.toml"), name=saved.get("name", folder.name))
    quick = bool(saved.get("quick"))
    return (spec.quick_version() if quick else spec), quick, saved


def posterior_draws(spec: CalibrationSpec, points: np.ndarray, weights: np.ndarray, fresh: int = 0) -> np.ndarray:
    """The unit points of the posterior predictive check: ``spec.draws`` particles drawn by
    weight from one generator seeded by the spec's seed (the same draws on every re-check;
    ``fresh`` = k > 0: the k-th independent set of draws)."""
    rng = np.random.default_rng([spec.abc.seed, T_AFTER] + ([fresh] if fresh else []))
    return points[rng.choice(len(points), size=spec.draws, p=weights / weights.sum())]


def recheck(folder: str | Path, *, workers: int | None = None, scheduler: str | None = None,
            progress: bool = True, fresh: int = 0) -> Path:
    """Re-run only the predictive checks (base parameters, and the same posterior draws on the
    same seeds) of an existing calibration on the current code; write
    ``FOLDER/rechecks/<UTC time>-check/`` (check.csv, report.md, summary.json) and return it.
    On the code that made the calibration it reproduces the folder's check.csv exactly.
    ``fresh`` = k > 0: the k-th independent replicate instead, other posterior draws on other
    seeds (generations ``98 + 100 k`` and ``99 + 100 k``): the Monte Carlo spread of the check."""
    from dataclasses import replace

    from experiments.sensitivity.command import Interrupted, model_fingerprint, new_folder

    from . import report

    started = time.perf_counter()
    folder = Path(folder)
    spec, quick, saved = saved_spec(folder, "--check")
    path = folder / "posterior.csv"
    ucols = [f"u_{f.name}" for f in spec.parameters]
    try:
        post = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"--check {path}: expected the posterior of a calibration; found {exc}") from None
    missing = [c for c in (*ucols, "weight") if c not in post.columns]
    if missing:
        raise InputError(f"--check {path}: expected columns {missing}; found {', '.join(post.columns)}")
    try:
        summary = json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError):
        summary = None
    if not isinstance(summary, dict):
        raise InputError(f"--check {folder / 'summary.json'}: expected the summary of a calibration (an "
                         "object); found a missing or unreadable file")
    points = post[ucols].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    weights = pd.to_numeric(post["weight"], errors="coerce").to_numpy(float)
    if (len(weights) == 0 or not np.isfinite(points).all() or not np.isfinite(weights).all()
            or (weights < 0).any() or weights.sum() <= 0 or (points < 0).any() or (points > 1).any()):
        raise InputError(f"--check {path}: expected unit coordinates in [0, 1] and finite weights >= 0 "
                         f"with a positive sum; found {len(weights)} row(s) that are not")
    check_posterior(path, summary, post, "--check")
    base = base_params(spec)  # today's defaults: the model may have changed since
    out = new_folder(replace(spec, name="check"), folder / "rechecks")
    if progress:
        print(f"re-check folder: {out}", file=sys.stderr)
    try:
        with Executor(workers=workers, scheduler=scheduler) as ex:
            sim = Simulator(spec, out, base, ex, progress)
            if progress:
                from tqdm.auto import tqdm

                sim.bar = tqdm(desc=f"{spec.name} check", unit="run", total=2 * spec.draws * spec.replications_at(T_AFTER))
            try:
                before = sim.batch(T_BEFORE + 100 * fresh, 0, None, fixed=_centre(spec))
                after = sim.batch(T_AFTER + 100 * fresh, 0, posterior_draws(spec, points, weights, fresh))
            finally:
                if sim.bar is not None:
                    sim.bar.close()
    except KeyboardInterrupt as exc:
        raise Interrupted(out) from exc
    except (ResourceError, OSError) as exc:
        from experiments.io.results import kept

        raise kept(exc, out, "calibrate") from None
    check = report.check_table(spec, before, after)
    check.to_csv(out / "check.csv", index=False)
    then, now = saved.get("model_fingerprint"), model_fingerprint(spec)
    text = report.recheck_words(spec, check, folder, changed=then != now, quick=quick, fresh=fresh)
    (out / "summary.json").write_text(json.dumps({
        "kind": "calibration-check", "calibration": str(folder), "quick": quick,
        "model_fingerprint_of_calibration": then, "model_fingerprint": now,
        "model_runs_this_session": sim.computed, "wall_seconds": time.perf_counter() - started,
        "workers": None if scheduler else (workers or ex.workers), "scheduler": scheduler,
        "goal": report.GOAL, "fresh": fresh, "check": check.to_dict("records")}, indent=1, default=float) + "\n")
    (out / "report.md").write_text(report.recheck_words_with_replicates(text, folder, now, then == now))
    from datetime import timedelta

    from experiments.io import provenance

    ended = provenance.utc_now()
    prov = provenance.record(  # the code the check ran on: git commit, dirty flag, versions, command
        started=ended - timedelta(seconds=time.perf_counter() - started), ended=ended,
        seeds=[spec.first_seed], workers=scheduler or workers, spec=spec.name, calibration=str(folder),
        fresh=fresh)
    (out / "provenance.json").write_text(json.dumps(prov, indent=1, default=str) + "\n")
    return out


def short_report(folder: Path) -> str:
    """The "In short" section of the folder's report.md."""
    text = (folder / "report.md").read_text()
    return text.split("## In short", 1)[1].split("\n## ", 1)[0].strip()


def _centre(spec: CalibrationSpec) -> dict[str, Any]:
    """The check before calibration: the base parameters for the model (nothing overridden),
    the centre of the ranges for a test model (which has no defaults)."""
    if spec.is_simulation:
        return {}
    return values_at(spec, np.full(len(spec.parameters), 0.5))
