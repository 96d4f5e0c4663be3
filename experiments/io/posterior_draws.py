"""``alliance run|compare --posterior FOLDER``: replications grouped by parameter draw.

The replications of a scenario run on consecutive seeds; under ``--posterior`` they come in
draws of ``--seeds-per-draw`` consecutive seeds (default :data:`SEEDS_PER_DRAW`) that share
one posterior particle. Replication ``i`` belongs to draw ``i // m``; the draw's particle is
picked by weight from a generator seeded by the seed of its first replication (:func:`pick`,
as ``alliance sensitivity --posterior`` picks one per run), in this process before any run
starts: the same seeds give the same draws on any number of workers, and ``--reps 40``
starts with the draws of ``--reps 20``. Under ``compare`` every scenario runs the same seeds,
hence the same draws: differences are paired by draw and seed.

Why 2 seeds per draw by default: for a fixed number of runs the mean and the spread over
draws are most precise with one seed per draw (more draws), and the split of the variance
between posterior and seeds needs at least two; more seeds per draw pay when seed noise
dominates (posterior share rho small: the best m for the split is about 1 + 1 / rho).

A parameter the scenario itself sets (its value differs from the calibration's base) keeps
the scenario's value: the posterior never overrides what an experiment varies on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from experiments.io.errors import InputError

SEEDS_PER_DRAW = 2


def pick(weights: np.ndarray, seeds: Sequence[int]) -> np.ndarray:
    """One row of a posterior per seed, drawn by weight from a generator seeded by that seed
    (``[seed, 7]``): the same seed picks the same particle, whatever else is drawn."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    u = np.array([np.random.default_rng([int(s), 7]).random() for s in seeds])
    return np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1)


def check_design(reps: int, per_draw: int) -> int:
    """The number of draws of ``reps`` replications in draws of ``per_draw`` seeds; InputError
    unless they make whole draws, at least two (the intervals need two)."""
    if reps % per_draw or reps < 2 * per_draw:
        raise InputError(f"--reps {reps}: expected under --posterior a multiple of --seeds-per-draw "
                         f"({per_draw}) and at least 2 draws ({2 * per_draw} replications); found "
                         f"{reps / per_draw:g} draw(s)")
    return reps // per_draw


def lay(tasks: list[dict], folder: str | Path, reps: int, per_draw: int = SEEDS_PER_DRAW
        ) -> tuple[list[dict], dict[str, Any]]:
    """``tasks`` (blocks of ``reps`` replications, one block per scenario, same seeds in each)
    with the posterior's parameters laid on each; returns new tasks and the note for
    summary.json (folder, parameters, draws, seeds_per_draw, each draw's posterior row)."""
    from experiments.calibration.posterior import load

    post = load(folder)
    n_draws = check_design(reps, per_draw)
    first = [int(tasks[k * per_draw]["params"]["run"]["seed"]) for k in range(n_draws)]
    rows = pick(post.weights, first)
    kept: set[str] = set()
    out = []
    for i, task in enumerate(tasks):
        params, keep = laid(post, task["params"], int(rows[(i % reps) // per_draw]),
                            validate=i % per_draw == 0)  # a draw's other seeds change only the seed
        kept |= keep
        out.append({**task, "params": params})
    note = {"folder": str(post.folder), **identity(post.folder), "parameters": list(post.paths), "draws": n_draws,
            "seeds_per_draw": per_draw, "replications_per_draw": per_draw,
            "draw_rows": [int(r) for r in rows], "kept_from_scenario": sorted(kept)}
    return out, note


def identity(folder: str | Path) -> dict[str, Any]:
    """What a result drew from, beyond the folder's path (which a later calibration copied
    there would change): the SHA-256 of its posterior.csv, and the git commit of the
    calibration (its provenance.json) when recorded."""
    import hashlib

    folder = Path(folder)
    out: dict[str, Any] = {"posterior_csv_sha256": hashlib.sha256((folder / "posterior.csv").read_bytes()).hexdigest()}
    try:
        prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
        out["calibration_git_commit"] = prov.get("git_commit") if isinstance(prov, dict) else None
    except (OSError, ValueError):
        out["calibration_git_commit"] = None
    return out


def laid(post: Any, params: dict, row: int, skip: frozenset[str] = frozenset(), validate: bool = True
         ) -> tuple[dict, set[str]]:
    """A copy of the parameter dict ``params`` with the posterior's ``row`` laid on it, and the
    paths kept at the scenario's value (it sets them to another value than the calibration's
    base) or in ``skip``; InputError naming posterior.csv, its row and the key when the
    result is not valid parameters (a value out of its range), before anything runs."""
    from experiments.calibration.posterior import _at
    from simulation import ParameterError, Params
    from simulation.params import set_dotted

    data = json.loads(json.dumps(params))
    kept: set[str] = set()
    values = post.values.iloc[row]
    for path, kind in zip(post.paths, post.kinds, strict=True):
        if path in skip or _at(data, path) != _at(post.base, path):
            kept.add(path)
            continue
        set_dotted(data, path, int(round(values[path])) if kind == "int" else float(values[path]), "--posterior")
    try:
        if validate:
            Params.from_dict(data, f"{Path(post.folder) / 'posterior.csv'} line {row + 2}")
    except ParameterError as exc:
        raise InputError(str(exc)) from None
    return data, kept


def check_rows(post: Any, params: dict, skip: frozenset[str] = frozenset()) -> None:
    """:func:`laid` on every row of positive weight (``alliance sensitivity --posterior``,
    before its results folder is made)."""
    for row in np.flatnonzero(post.weights > 0):
        laid(post, params, int(row), skip)


def draw_of(reps: int, per_draw: int) -> np.ndarray:
    """Each replication's draw: ``i // per_draw``."""
    return np.arange(reps) // per_draw
