"""Whether a calibration folder's posterior.csv is the one the calibration wrote.

``alliance calibrate --check`` reads the particles' unit coordinates (``u_*`` columns),
``--posterior`` their values: a file cut at a row boundary, or with values edited apart from
their unit coordinates, would pass one reader and not the other. Both readers call
:func:`check_posterior`, which refuses such a file in one line (review 11, finding 12).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.io.errors import InputError


def expected_rows(summary: dict) -> tuple[int | None, str]:
    """Rows posterior.csv should have: summary.json's ``posterior_rows`` or, in a folder
    written before that key, the last generation's ``accepted`` in its history."""
    rows = summary.get("posterior_rows")
    if isinstance(rows, int):
        return rows, "summary.json's posterior_rows"
    history = summary.get("history")
    if isinstance(history, list) and history and isinstance(history[-1], dict):
        last = history[-1].get("accepted")
        if isinstance(last, int):
            return last, "the last generation's accepted particles in summary.json's history"
    return None, ""


def value_at(p: dict[str, Any], u: np.ndarray) -> np.ndarray:
    """A parameter's values at unit coordinates ``u`` (as experiments.sensitivity.factors.Factor)."""
    lo, hi = float(p["low"]), float(p["high"])
    if p.get("kind") == "int":
        return np.minimum(np.floor(int(lo) + u * (int(hi) - int(lo) + 1)), int(hi))
    return lo + u * (hi - lo)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_posterior(path: Path, summary: dict, post: pd.DataFrame, option: str) -> None:
    """Refuse a posterior.csv cut or changed since its calibration wrote it: its SHA-256 against
    summary.json's ``posterior_sha256`` (folders written since session 19: any edit, weights
    included), its row count, and its values against its unit coordinates."""
    digest = summary.get("posterior_sha256")
    if isinstance(digest, str) and file_sha256(path) != digest:
        raise InputError(f"{option} {path}: expected the file the calibration wrote (SHA-256 {digest[:12]}... in "
                         f"summary.json); found another content ({file_sha256(path)[:12]}...): the file was changed")
    rows, where = expected_rows(summary)
    if rows is not None and rows != len(post):
        raise InputError(f"{option} {path}: expected {rows} rows ({where}); found {len(post)}: "
                         "the file was cut or changed")
    for p in summary.get("parameters") or []:
        if not isinstance(p, dict) or not {"path", "name", "low", "high"} <= set(p):
            continue
        ucol = f"u_{p['name']}"
        if ucol not in post.columns or p["path"] not in post.columns:
            continue
        u = pd.to_numeric(post[ucol], errors="coerce").to_numpy(float)
        v = pd.to_numeric(post[p["path"]], errors="coerce").to_numpy(float)
        want = value_at(p, u)
        tol = 1e-9 * max(1.0, abs(float(p["high"]) - float(p["low"])))
        if (np.isfinite(u) & ~np.isfinite(v)).any():
            i = int(np.flatnonzero(np.isfinite(u) & ~np.isfinite(v))[0])
            raise InputError(f"{option} {path}: key '{p['path']}': expected finite numbers; found "
                             f"{post[p['path']].iloc[i]!r} in row {i + 1}")
        bad = np.isfinite(u) & np.isfinite(v) & ~(np.abs(v - want) <= tol)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{option} {path}: key '{p['path']}': expected the value of its unit column "
                             f"{ucol} ({p['low']} + u x ({p['high']} - {p['low']})), {want[i]:.6g} in row {i + 1}; "
                             f"found {v[i]:.6g}: the file was changed")


