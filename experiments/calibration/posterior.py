"""A calibration folder's posterior, loaded and checked (:func:`load`): its parameter paths,
values and weights, and the base parameters it was calibrated from.

Read by ``alliance run|compare --posterior`` (experiments/io/posterior_draws.py, which lays
draws on replications), ``alliance sensitivity --posterior`` and ``alliance report``.
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
