"""Results folders: statistics over replications, tables and figures.

Every run of the ``alliance`` command writes one new folder ``<out>/<UTC time>-<label>/``
(layout in results/README.md). The folder is built under a hidden temporary name next to
its final place and renamed only when every file is written, so an interrupted run leaves
no folder that looks complete, and an existing folder is never overwritten.

Intervals are 95% confidence intervals of the mean over replications with Student's t
(n - 1 degrees of freedom); comparisons use paired differences over common seeds, which
removes the variance the scenarios share (common random numbers).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.io.errors import InputError
from experiments.io.provenance import relative, utc_stamp
from simulation import OUTCOMES

# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------

def describe(values: Sequence[float]) -> dict[str, float | int | None]:
    """Mean, standard deviation and the 95% CI of the mean (Student t) of replications.

    With one replication the standard deviation and the interval do not exist: they are
    ``None`` (JSON ``null``), never a made-up zero.
    """
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    if n == 0:
        raise ValueError("describe() needs at least one value")
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "sd": None, "ci95_low": None, "ci95_high": None, "n": n}
    from scipy.special import stdtrit  # Student t quantile; scipy.stats takes 3 times longer to import

    sd = float(x.std(ddof=1))
    half = float(stdtrit(n - 1, 0.975)) * sd / math.sqrt(n)
    return {"mean": mean, "sd": sd, "ci95_low": mean - half, "ci95_high": mean + half, "n": n}


def summarise(summaries: Sequence[dict[str, float]]) -> dict[str, dict[str, Any]]:
    """Per outcome (in the registry's order): :func:`describe` plus its unit."""
    out = {}
    for o in OUTCOMES:
        out[o.key] = {**describe([s[o.key] for s in summaries]), "unit": o.unit}
    return out


def paired_differences(base: Sequence[dict[str, float]], other: Sequence[dict[str, float]]
                       ) -> dict[str, dict[str, Any]]:
    """Per outcome: :func:`describe` of ``other - base`` replication by replication (the two
    lists hold the same seeds in the same order)."""
    if len(base) != len(other):
        raise ValueError(f"paired differences need as many replications; found {len(base)} and {len(other)}")
    return {o.key: {**describe([b[o.key] - a[o.key] for a, b in zip(base, other, strict=True)]),
                    "unit": o.unit} for o in OUTCOMES}


def fmt(value: float | None) -> str:
    """A number for tables: 4 significant digits, '-' for a missing value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.4g}"


def fmt_interval(stat: dict[str, Any]) -> str:
    if stat["ci95_low"] is None:
        return fmt(stat["mean"])
    return f"{fmt(stat['mean'])} [{fmt(stat['ci95_low'])}, {fmt(stat['ci95_high'])}]"


# --------------------------------------------------------------------------------------
# The folder, written atomically
# --------------------------------------------------------------------------------------

class ResultFolder:
    """A results folder built under a temporary name and renamed when complete.

    Use as a context manager: entering creates ``<out>/.<name>.partial-<pid>-<token>`` (which also
    checks that the output folder is writable before any model runs), files are written to
    :attr:`path`, and a clean exit renames it to ``<out>/<name>`` (adding ``-2``, ``-3``...
    if that name exists). Any exception, including KeyboardInterrupt, deletes the temporary
    folder. A killed process leaves only the hidden ``.partial`` folder, never a folder
    with the final name.
    """

    def __init__(self, out: Path, label: str, started: datetime | None = None):
        self.out = Path(out)
        self.name = f"{utc_stamp(started)}-{_safe(label)}"
        self.path = self.out / f".{self.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.final: Path | None = None

    def __enter__(self) -> ResultFolder:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self.path.mkdir()
        except OSError as exc:
            raise InputError(f"--out {self.out}: expected a writable folder; found "
                             f"{exc.strerror or exc} ({exc.filename or self.out})") from None
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        try:
            self.final = self._commit()
        except OSError as err:
            shutil.rmtree(self.path, ignore_errors=True)
            raise InputError(f"--out {self.out}: could not finish the results folder: "
                             f"{err.strerror or err}") from None

    def _commit(self) -> Path:
        for i in range(1, 1000):
            final = self.out / (self.name if i == 1 else f"{self.name}-{i}")
            if final.exists():
                continue
            try:
                os.rename(self.path, final)  # atomic on one filesystem
            except OSError:
                if final.exists():  # another process took the name meanwhile
                    continue
                raise
            return final
        raise InputError(f"--out {self.out}: expected a free folder name; found {self.name} to "
                         f"{self.name}-999 all taken")


def _safe(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in label)[:80] or "run"


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(data: Any) -> str:
    return json.dumps(_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False)


def write_json(path: Path, data: Any) -> None:
    path.write_text(dumps(data) + "\n", encoding="utf-8")


def stack_series(frames: Sequence[pd.DataFrame | None], seeds: Sequence[int],
                 extra: dict[str, Sequence[Any]] | None = None) -> pd.DataFrame:
    """The monthly series of every replication in one long table with ``rep`` and ``seed``
    columns first (and any ``extra`` per-replication columns such as ``scenario``)."""
    parts = []
    for rep, (frame, seed) in enumerate(zip(frames, seeds, strict=True)):
        if frame is None:
            raise ValueError(f"replication {rep} (seed {seed}) returned no monthly series")
        cols: dict[str, Any] = {}
        for name, values in (extra or {}).items():
            cols[name] = values[rep]
        cols.update(rep=rep, seed=seed)
        part = frame.reset_index(drop=True).copy()
        for i, (name, value) in enumerate(cols.items()):
            part.insert(i, name, value)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def replication_table(summaries: Sequence[dict[str, float]], seeds: Sequence[int],
                      extra: dict[str, Sequence[Any]] | None = None) -> pd.DataFrame:
    """One row per replication: ``rep``, ``seed`` and every outcome."""
    rows = []
    for rep, (summary, seed) in enumerate(zip(summaries, seeds, strict=True)):
        row: dict[str, Any] = {name: values[rep] for name, values in (extra or {}).items()}
        row.update(rep=rep, seed=seed)
        row.update({o.key: summary[o.key] for o in OUTCOMES})
        rows.append(row)
    return pd.DataFrame(rows)


def write_tables(folder: Path, series: pd.DataFrame, replications: pd.DataFrame) -> list[str]:
    series.to_parquet(folder / "series.parquet", index=False)
    series.to_csv(folder / "series.csv", index=False)
    replications.to_csv(folder / "replications.csv", index=False)
    return ["series.parquet", "series.csv", "replications.csv"]


# --------------------------------------------------------------------------------------
# Whole folders
# --------------------------------------------------------------------------------------

def run_summary(*, scenario: str, scenario_file: Path, seeds: Sequence[int], months: int,
                summaries: Sequence[dict[str, float]], params: dict[str, Any]) -> dict[str, Any]:
    """The content of ``summary.json`` (and of ``alliance run --json``)."""
    return {
        "scenario": scenario,
        "scenario_file": relative(scenario_file),
        "replications": len(seeds),
        "seeds": list(seeds),
        "months": months,
        "interval": "95% confidence interval of the mean over replications (Student t, n-1 df)",
        "outcomes": summarise(summaries),
        "params": params,
    }
