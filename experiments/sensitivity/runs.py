"""Design tables and checkpointed execution of a sensitivity experiment.

The design (SALib, unit hypercube) becomes a table of runs in design order, one row per
design point and replication, with the seed of each run (common random numbers; the dummy
selects the seed block, see :mod:`experiments.sensitivity.command`). Runs are executed in chunks of
``execution.chunk_runs``; each finished chunk is written to ``checkpoint/<stage>-NNNNN.parquet``
at once (written under a temporary name, then renamed), and results are always read back
from those files in design order, so an interrupted and resumed experiment gives exactly
the results of an uninterrupted one, whatever the executor.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.execution.executor import Executor
from experiments.io.errors import InputError
from experiments.sensitivity import analysis
from experiments.sensitivity.spec import DUMMY_BLOCKS, Spec

# --------------------------------------------------------------------------------------
# Design
# --------------------------------------------------------------------------------------

def design_parts(spec: Spec) -> dict[str, tuple[dict, np.ndarray]]:
    """SALib problem and unit design per part: ``factors`` and, for Sobol with groups, ``groups``."""
    seed = spec.design_seed
    if spec.method == "morris":
        prob = spec.problem()
        return {"factors": (prob, analysis.morris_design(prob, spec.morris["trajectories"],
                                                         spec.morris["levels"], seed))}
    prob = spec.problem()
    parts = {"factors": (prob, analysis.sobol_design(prob, spec.sobol["n"], spec.sobol["second_order"], seed))}
    if spec.sobol["groups"] and len(set(f.group for f in spec.all_factors)) > 1:
        gprob = spec.problem(groups=True)
        parts["groups"] = (gprob, analysis.sobol_design(gprob, spec.sobol["n"], False, seed))
    return parts


def run_table(spec: Spec, parts: dict[str, tuple[dict, np.ndarray]], reps: int) -> pd.DataFrame:
    """One row per run in design order: part, point, replication, seed, unit coordinates."""
    frames = []
    factors = spec.all_factors
    for part, (_, u) in parts.items():
        n = u.shape[0]
        if spec.dummy:
            du = u[:, len(factors) - 1]
            block = np.minimum(np.floor(du * DUMMY_BLOCKS), DUMMY_BLOCKS - 1).astype(np.int64)
        else:
            block = np.zeros(n, dtype=np.int64)
        df = pd.DataFrame({"part": part, "point": np.repeat(np.arange(n), reps),
                           "rep": np.tile(np.arange(reps), n)})
        df["seed"] = spec.first_seed + np.repeat(block, reps) * reps + df["rep"].to_numpy()
        for j, f in enumerate(factors):
            df[f"u_{f.name}"] = np.repeat(u[:, j], reps)
        frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "run", np.arange(len(table)))
    return table


def _values(spec: Spec, u_row: dict[str, float]) -> dict[str, Any]:
    return {f.path: f.value(u_row[f.name]) for f in spec.factors if f.name in u_row}


def pilot_table(spec: Spec) -> pd.DataFrame:
    """Pilot runs: the base scenario (point 0, no factor moved; the centre of the ranges for a
    test model) and ``pilot.points`` uniform
    random points, each at seeds ``first_seed .. first_seed + pilot.seeds - 1``."""
    rng = np.random.default_rng([spec.design_seed, 1])
    pts = spec.pilot["points"]
    seeds = spec.pilot["seeds"]
    u = rng.random((pts, len(spec.factors)))
    rows = []
    for i in range(pts + 1):
        for r in range(seeds):
            row = {"run": len(rows), "part": "pilot", "point": i, "rep": r, "seed": spec.first_seed + r}
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


def execute(spec: Spec, table: pd.DataFrame, folder: Path, stage: str, ex: Executor,
            base: dict | None, progress: bool, fn: Callable[[dict], list]) -> pd.DataFrame:
    """Outcomes of every run of ``table`` (rows in table order), computing only the chunks
    missing from ``folder/checkpoint`` and saving each as it completes; ``fn`` runs a chunk
    (:func:`experiments.sensitivity.command.evaluate_runs`)."""
    size = spec.execution["chunk_runs"]
    n = len(table)
    bounds = [(a, min(a + size, n)) for a in range(0, n, size)]
    missing = [i for i in range(len(bounds)) if not _chunk_file(folder, stage, i).exists()]
    ucols = [c for c in table.columns if c.startswith("u_")]
    records = table[ucols].to_dict("records") if ucols else [{}] * n
    chunks = []
    for i in missing:
        a, b = bounds[i]
        runs = [(_values(spec, {k[2:]: v for k, v in records[k_].items() if not pd.isna(v)}),
                 int(table["seed"].iat[k_])) for k_ in range(a, b)]
        chunks.append([{"model": spec.model, "base": base, "runs": runs}])
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
            path = _chunk_file(folder, stage, i)
            tmp = path.with_suffix(".tmp")
            df.to_parquet(tmp, index=False)
            tmp.replace(path)
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


def choose_replications(spec: Spec, pilot: pd.DataFrame) -> tuple[int, dict[str, dict]]:
    """R from the pilot (``replications = "auto"``) or the spec, and the pilot's noise stats."""
    seeds = spec.pilot["seeds"]
    stats = {}
    needed = []
    for o in spec.outcomes:
        y = pilot[o].to_numpy().reshape(-1, seeds)
        base = y[0]
        r, st = analysis.replications_needed(y, spec.pilot["target"])
        st["base_seed_var"] = float(np.var(base, ddof=1))
        st["replications_needed"] = r
        stats[o] = st
        needed.append(spec.max_replications if r is None else r)
    if spec.replications == "auto":
        reps = int(min(max(2, max(needed)), spec.max_replications))
    else:
        reps = int(spec.replications)
    return reps, stats
