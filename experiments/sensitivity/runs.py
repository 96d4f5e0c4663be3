"""Design tables and checkpointed execution of a sensitivity experiment.

The design (unit hypercube) becomes a table of runs in design order, one row per design
point and replication. Every run has its own seed, ``first_seed + offset + row``: the pilot
takes the first seeds, the design the next ones, extra Sobol' scrambles (``--precision``)
the ones after, so no two runs of an experiment share a random stream, whatever its size.
Runs are executed in chunks of ``execution.chunk_runs``; each finished chunk is written to
``checkpoint/<stage>-NNNNN.parquet`` at once (written under a temporary name, then renamed),
and results are always read back from those files in design order, so an interrupted and
resumed experiment gives exactly the results of an uninterrupted one, whatever the executor.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.execution.executor import Executor
from experiments.io.errors import InputError
from experiments.io.results import checkpoint_current, design_key, write_checkpoint
from experiments.sensitivity import analysis
from experiments.sensitivity.spec import Spec

# --------------------------------------------------------------------------------------
# Design
# --------------------------------------------------------------------------------------


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


def cells(spec: Spec) -> list[tuple[str, dict[str, float]]]:
    """The cells of a regression design, as (label, fixed unit coordinates): one per
    combination of the ``by`` factors' levels (the centre of each level's interval), then
    ``draw_cells`` cells drawn by a Latin hypercube over the ``draws`` factors (the ``by``
    factors at the base's values there); one cell, "factors", when neither is asked for."""
    by, drawn = spec.by, spec.drawn
    out = []
    if by:
        grids = [[(i + 0.5) / len(f.levels) for i in range(len(f.levels))] for f in by]
        for combo in itertools.product(*grids):
            fixed = dict(zip([f.name for f in by], combo, strict=True))
            out.append((", ".join(f"{f.name}={f.value(fixed[f.name])}" for f in by), fixed))
    if drawn:
        k = spec.regression["draw_cells"]
        u = analysis.space_filling(len(drawn), k, "lhs", spec.design_seed * 1000 + 999)
        out += [(f"draw {i + 1}", dict(zip([f.name for f in drawn], u[i], strict=True))) for i in range(k)]
    return out or [("factors", {})]


def family(part: str) -> str:
    """Which set of cells a part belongs to: "draws" (drawn factors) or "by" (crossed levels)."""
    return "draws" if part.startswith("draw ") else "by"


def design_parts(spec: Spec, scrambles: int | None = None) -> dict[str, tuple[dict, np.ndarray]]:
    """SALib-style problem and unit design per part: one part per structural cell (regression),
    per independent scramble (Sobol), or one (Morris). A cell's fixed coordinates are in
    ``problem["fixed"]``."""
    prob = spec.problem()
    d, seed = prob["num_vars"], spec.design_seed
    if spec.method == "morris":
        return {"factors": (prob, analysis.morris_design(prob, spec.morris["trajectories"],
                                                         spec.morris["levels"], seed))}
    if spec.method == "sobol":
        k = scrambles or spec.sobol["scrambles"]
        return {f"scramble-{i}": (prob, analysis.sobol_design(prob, spec.sobol["n"], spec.sobol["second_order"],
                                                              seed * 1000 + i)) for i in range(k)}
    g = spec.regression
    return {label: ({**prob, "fixed": c}, analysis.space_filling(d, g["points"], g["design"], seed * 1000 + i))
            for i, (label, c) in enumerate(cells(spec))}


def run_table(spec: Spec, parts: dict[str, tuple[dict, np.ndarray]], reps: int, offset: int = 0) -> pd.DataFrame:
    """One row per run in design order: part, point, replication, its own seed, unit coordinates."""
    frames = []
    for part, (prob, u) in parts.items():
        n = u.shape[0]
        df = pd.DataFrame({"part": part, "point": np.repeat(np.arange(n), reps),
                           "rep": np.tile(np.arange(reps), n)})
        for j, name in enumerate(prob["names"]):
            df[f"u_{name}"] = np.repeat(u[:, j], reps)
        for name, value in prob.get("fixed", {}).items():
            df[f"u_{name}"] = value
        frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "run", np.arange(len(table)))
    table.insert(4, "seed", spec.first_seed + offset + np.arange(len(table)))
    return table


def _values(spec: Spec, u_row: dict[str, float]) -> dict[str, Any]:
    return {f.path: f.value(u_row[f.name]) for f in spec.factors if f.name in u_row}


def pilot_table(spec: Spec) -> pd.DataFrame:
    """Pilot runs measuring the seed noise: the base scenario (point 0, no factor moved; the
    centre of the ranges for a test model) and ``pilot.points`` uniform random points, each
    run ``pilot.seeds`` times, every run with its own seed (the experiment's first seeds)."""
    rng = np.random.default_rng([spec.design_seed, 1])
    pts, seeds = spec.pilot["points"], spec.pilot["seeds"]
    u = rng.random((pts, len(spec.factors)))
    rows = []
    for i in range(pts + 1):
        for r in range(seeds):
            row = {"run": len(rows), "part": "pilot", "point": i, "rep": r, "seed": spec.first_seed + len(rows)}
            if i > 0:
                row.update({f"u_{f.name}": u[i - 1, j] for j, f in enumerate(spec.factors)})
            elif not spec.is_simulation:  # a test model has no base scenario: its centre
                row.update({f"u_{f.name}": 0.5 for f in spec.factors})
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Checkpointed execution
# --------------------------------------------------------------------------------------

def _chunk_file(folder: Path, stage: str, index: int) -> Path:
    return folder / "checkpoint" / f"{stage}-{index:05d}.parquet"


POSTERIOR = "posterior."  # prefix of the columns holding each run's calibrated parameters


def posterior_draws(folder: Path, seeds: pd.Series, base: dict | None,
                    factors: frozenset[str] = frozenset()) -> pd.DataFrame | None:
    """``--posterior``: each run's calibrated parameters, one posterior particle drawn by
    weight from a generator seeded by the run's own seed (the same draw on resume, on any
    executor); None when the experiment has no posterior (experiment.json's ``posterior``).
    Columns ``posterior_row`` and ``posterior.<path>``; a path the base scenario sets to
    another value than the calibration's base keeps the scenario's value (no column), and so
    does a factor of the spec (``factors``: the experiment varies it on purpose)."""
    import json

    saved = folder / "experiment.json"
    path = json.loads(saved.read_text()).get("posterior") if saved.exists() else None
    if path is None:
        return None
    from experiments.calibration.posterior import _at, load
    from experiments.io.posterior_draws import pick

    post = load(path)
    rows = pick(post.weights, seeds)  # as run and compare pick a draw's particle
    out = pd.DataFrame({"posterior_row": rows})
    for p, kind in zip(post.paths, post.kinds, strict=True):
        if p not in factors and _at(base, p) == _at(post.base, p):
            x = post.values[p].to_numpy()[rows]
            out[POSTERIOR + p] = x.round().astype(np.int64) if kind == "int" else x.astype(float)
    return out


def execute(spec: Spec, table: pd.DataFrame, folder: Path, stage: str, ex: Executor,
            base: dict | None, progress: bool, fn: Callable[[dict], list]) -> pd.DataFrame:
    """Outcomes of every run of ``table`` (rows in table order), computing only the chunks
    missing from ``folder/checkpoint`` and saving each as it completes; ``fn`` runs a chunk
    (:func:`experiments.sensitivity.command.evaluate_runs`). With ``--posterior`` each run's
    calibrated parameters (:func:`posterior_draws`) are laid under its factors and returned
    (and checkpointed) with its outcomes."""
    size = spec.execution["chunk_runs"]
    n = len(table)
    bounds = [(a, min(a + size, n)) for a in range(0, n, size)]
    design = design_key(spec, base)  # a chunk of another spec (or base) is computed again
    missing = [i for i in range(len(bounds)) if not checkpoint_current(_chunk_file(folder, stage, i), design)]
    ucols = [c for c in table.columns if c.startswith("u_")]
    drawn = posterior_draws(folder, table["seed"], base, frozenset(f.path for f in spec.factors))

    def chunk(a: int, b: int) -> list[dict]:  # built as it is submitted: memory stays flat
        rows = table[ucols].iloc[a:b].to_dict("records") if ucols else [{}] * (b - a)
        post = ([{k[len(POSTERIOR):]: v.item() if hasattr(v, "item") else v for k, v in r.items()
                  if k.startswith(POSTERIOR)} for r in drawn.iloc[a:b].to_dict("records")]
                if drawn is not None else [{}] * (b - a))
        runs = [({**pv, **_values(spec, {k[2:]: v for k, v in row.items() if not pd.isna(v)})}, int(seed))
                for row, pv, seed in zip(rows, post, table["seed"].iloc[a:b], strict=True)]
        return [{"model": spec.model, "base": base, "runs": runs}]

    chunks = (chunk(*bounds[i]) for i in missing)
    model = model_fingerprint(spec)  # kept in each checkpoint: a lost experiment.json is no blank cheque
    bar = None
    if progress and missing:
        from tqdm.auto import tqdm

        done = n - sum(bounds[i][1] - bounds[i][0] for i in missing)
        bar = tqdm(total=n, initial=done, desc=f"{spec.name} {stage}", unit="run", smoothing=0.05)
    try:
        for k, (out,) in ex.map_chunks(fn, chunks):
            i = missing[k]
            a, _ = bounds[i]
            df = pd.DataFrame(out)
            df.insert(0, "run", np.arange(a, a + len(df)))
            if drawn is not None:
                df = pd.concat([df, drawn.iloc[a:a + len(df)].reset_index(drop=True)], axis=1)
            write_checkpoint(_chunk_file(folder, stage, i), df, model, design)
            if bar is not None:
                bar.update(len(df))
    finally:
        if bar is not None:
            bar.close()
    parts = [pd.read_parquet(_chunk_file(folder, stage, i)) for i in range(len(bounds))]
    outcomes = pd.concat(parts, ignore_index=True)
    if len(outcomes) != n or not (outcomes["run"].to_numpy() == np.arange(n)).all():
        raise InputError(f"{folder}: checkpoint of stage '{stage}' does not match the design; "
                         "expected the files of this experiment; found others")
    missing_outcomes = [o for o in spec.outcomes if o not in outcomes.columns]
    if missing_outcomes:
        raise InputError(f"{spec.path or spec.name}: key 'outcomes': expected keys the model returns "
                         f"({', '.join(c for c in outcomes.columns if c != 'run')}); found {missing_outcomes}")
    return outcomes


def pilot_noise(spec: Spec, pilot: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per outcome: the seed variance of one run (pooled within pilot points, random points
    only when there are some) and at the base point, and the variance across pilot points."""
    seeds = spec.pilot["seeds"]
    out = {}
    for o in spec.outcomes:
        y = pilot[o].to_numpy(dtype=float).reshape(-1, seeds)
        pts = y[1:] if len(y) > 1 else y
        pts = pts[~np.isnan(pts).any(axis=1)]  # NaN: undefined in a run (simulation/outcomes.py)
        if len(pts) == 0:
            out[o] = dict.fromkeys(("seed_var", "seed_var_df", "base_seed_var", "seed_var_low", "seed_var_high",
                                    "between_points_var"), float("nan"))
            continue
        s2, df = analysis.noise_variance(pts)
        # the seed variance differs between points: its interval is a bootstrap over the points
        per = np.var(pts, axis=1, ddof=1)
        rng = np.random.default_rng([spec.design_seed, 2])
        boot = per[rng.integers(len(per), size=(2000, len(per)))].mean(axis=1)
        a = (1 - spec.statistics["confidence"]) / 2
        out[o] = {"seed_var": s2, "seed_var_df": df, "base_seed_var": float(np.var(y[0], ddof=1)),
                  "seed_var_low": float(np.quantile(boot, a)), "seed_var_high": float(np.quantile(boot, 1 - a)),
                  "between_points_var": float(np.var(y[1:].mean(axis=1), ddof=1)) if len(y) > 2 else float("nan")}
    return out
