"""Posterior draws for ``alliance run|compare --posterior FOLDER``, and the variance split.

Each replication takes its calibrated parameters from a draw of the posterior (particles
resampled by weight, from a generator seeded by the first replication's seed), so that
intervals include parameter uncertainty as well as seed noise. Consecutive replications
share a draw in pairs (``PER_DRAW``): the spread within a pair is seed noise alone, which
splits each outcome's variance into a part from the posterior and a part from seeds (one-way
random-effects analysis of variance). With ``compare`` every scenario gets the same draws
for the same replication (common random numbers for parameters as for seeds).

A parameter the scenario itself sets (its value differs from the calibration's base) keeps
the scenario's value: the posterior never overrides what an experiment varies on purpose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.io.errors import InputError

from .integrity import check_posterior

PER_DRAW = 2


@dataclass(frozen=True)
class Posterior:
    folder: Path
    paths: tuple[str, ...]
    kinds: tuple[str, ...]
    values: pd.DataFrame
    weights: np.ndarray
    base: dict | None


def load(folder: str | Path) -> Posterior:
    """The posterior of a calibration results folder; InputError when it is not one."""
    from experiments.io.scenarios import read_bytes

    folder = Path(folder)
    try:
        for name in ("summary.json", "posterior.csv", "base_params.json"):
            if (folder / name).exists():  # a regular file of at most 10 MB: never a pipe
                read_bytes(folder / name, "file of a calibration folder")
        summary = json.loads((folder / "summary.json").read_text())
        post = pd.read_csv(folder / "posterior.csv")
        base = json.loads((folder / "base_params.json").read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"--posterior {folder}: expected a calibration results folder (summary.json, "
                         f"posterior.csv, base_params.json); found {exc}") from None
    if not isinstance(summary, dict):
        raise InputError(f"--posterior {folder}: expected summary.json to be an object; found "
                         f"{type(summary).__name__}")
    if summary.get("kind") != "calibration":
        raise InputError(f"--posterior {folder}: expected a calibration results folder; found "
                         f"summary.json of kind {summary.get('kind')!r}")
    if summary.get("model") != "simulation":
        raise InputError(f"--posterior {folder}: expected a calibration of the simulation; found one of "
                         f"{summary.get('model')!r}")
    params = summary.get("parameters")
    if not (isinstance(params, list) and params and all(
            isinstance(p, dict) and isinstance(p.get("path"), str) and isinstance(p.get("kind"), str)
            for p in params)):
        raise InputError(f"--posterior {folder}: expected summary.json with a list of parameters "
                         f"(path, kind); found {str(params)[:80]!r}")
    paths = tuple(p["path"] for p in params)
    kinds = tuple(p["kind"] for p in params)
    missing = [p for p in (*paths, "weight") if p not in post.columns]
    if missing:
        raise InputError(f"{folder / 'posterior.csv'}: expected columns {missing}; found "
                         f"{', '.join(post.columns)}")
    values = post[list(paths)].apply(pd.to_numeric, errors="coerce")
    if not np.isfinite(values.to_numpy(float)).all():
        bad = next(p for p in paths if not np.isfinite(values[p].to_numpy(float)).all())
        raise InputError(f"{folder / 'posterior.csv'}: key '{bad}': expected finite numbers; found "
                         f"{post[bad][~np.isfinite(values[bad].to_numpy(float))].head(1).tolist()}")
    check_posterior(folder / "posterior.csv", summary, post, "--posterior")
    w = pd.to_numeric(post["weight"], errors="coerce").to_numpy(float)
    if len(w) == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise InputError(f"{folder / 'posterior.csv'}: key 'weight': expected at least one row of "
                         f"finite weights >= 0 with a positive sum; found {len(w)} row(s), "
                         f"{post['weight'].head(3).tolist()}...")
    return Posterior(folder, paths, kinds, values, w / w.sum(), base)


def _at(data: dict | None, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def apply(tasks: list[dict], folder: str | Path, reps: int) -> tuple[list[dict], dict[str, Any]]:
    """``tasks`` (blocks of ``reps`` replications, one block per scenario) with the posterior's
    parameters laid on each; returns new tasks and a note for the summary."""
    from simulation.params import set_dotted

    post = load(folder)
    seed = tasks[0]["params"]["run"]["seed"]
    rng = np.random.default_rng([int(seed), 7])
    n_draws = -(-reps // PER_DRAW)
    picks = rng.choice(len(post.weights), size=n_draws, p=post.weights)
    kept: set[str] = set()
    out = []
    for k, task in enumerate(tasks):
        params = json.loads(json.dumps(task["params"]))
        row = post.values.iloc[picks[(k % reps) // PER_DRAW]]
        for path, kind in zip(post.paths, post.kinds, strict=True):
            if _at(params, path) != _at(post.base, path):
                kept.add(path)
                continue
            value = row[path]
            set_dotted(params, path, int(value) if kind == "int" else float(value), "--posterior")
        out.append({**task, "params": params})
    note = {"folder": str(post.folder), "parameters": list(post.paths), "draws": int(n_draws),
            "replications_per_draw": PER_DRAW, "draw_rows": [int(i) for i in picks],
            "kept_from_scenario": sorted(kept)}
    return out, note


def variance_split(summaries: list[dict[str, float]], per_draw: int = PER_DRAW) -> dict[str, dict]:
    """Share of each outcome's variance over replications due to the posterior and to seeds.

    Replications ``i`` and ``i + 1`` (``i`` even) share a draw. The seed variance is the mean
    within-pair variance; the posterior's is the variance of pair means less that seed part
    over ``per_draw`` (clipped at 0). Needs at least two complete pairs (4 replications)."""
    n = len(summaries) // per_draw * per_draw
    if n < 2 * per_draw:
        return {}
    out = {}
    for key in summaries[0]:
        y = np.array([s[key] for s in summaries[:n]], float).reshape(-1, per_draw)
        seed_var = float(np.mean(np.var(y, axis=1, ddof=1)))
        param_var = max(0.0, float(np.var(y.mean(axis=1), ddof=1)) - seed_var / per_draw)
        total = param_var + seed_var
        out[key] = {"posterior_share": param_var / total if total > 0 else 0.0,
                    "seed_share": seed_var / total if total > 0 else 0.0}
    return out


def split_table(split: dict[str, dict]) -> str:
    """Two lines per outcome would be long: one line, the outcomes most moved by the posterior."""
    if not split:
        return "Variance split: needs at least 4 replications (2 per posterior draw)."
    rows = sorted(split.items(), key=lambda kv: -kv[1]["posterior_share"])
    parts = [f"{k} {v['posterior_share']:.0%}" for k, v in rows]
    return "Share of each outcome's variance from the posterior (the rest from seeds): " + ", ".join(parts)


def maybe_apply(folder: str | Path | None, tasks: list[dict], reps: int
                ) -> tuple[list[dict], dict[str, Any] | None]:
    """``apply`` when ``--posterior`` was given; the tasks unchanged and None otherwise."""
    if folder is None:
        return tasks, None
    return apply(tasks, folder, reps)


def add_to_summary(summary: dict, note: dict | None, blocks: dict[str, list[dict[str, float]]]) -> str:
    """Record the posterior's note and each block's variance split in ``summary``; return a
    line for the terminal (empty without ``--posterior``)."""
    if note is None:
        return ""
    splits = {label: variance_split(s) for label, s in blocks.items()}
    summary["posterior"] = {**note, "variance_split": splits}
    return "\n".join(f"{label + ': ' if len(blocks) > 1 else ''}{split_table(sp)}"
                     for label, sp in splits.items())
