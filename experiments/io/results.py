"""Results folders: statistics over replications, tables and figures.

Every run of the ``alliance`` command writes one new folder ``<out>/<UTC time>-<label>/``
(layout in results/README.md). The folder is built under a hidden temporary name next to
its final place and renamed only when every file is written, so an interrupted run leaves
no folder that looks complete, and an existing folder is never overwritten.

Intervals are 95% confidence intervals of the mean over replications with Student's t
(n - 1 degrees of freedom); comparisons use paired differences over common seeds, which
removes the variance the scenarios share (common random numbers). Under ``--posterior``
replications come in draws of a few seeds sharing calibrated parameters, and the readings are
grouped by draw (:func:`posterior_readings`): the mean with a standard error clustered by draw,
the spread of E[Y | parameters] over draws, a predictive interval for one run, and the shares
of variance from the posterior and from seeds.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from experiments.io.errors import InputError, ResourceError, os_problem
from experiments.io.provenance import relative, utc_stamp
from simulation import OUTCOMES

if TYPE_CHECKING:
    import pandas as pd

# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------

def describe(values: Sequence[float]) -> dict[str, float | int | None]:
    """Mean, standard deviation and the 95% CI of the mean (Student t) of replications.

    NaN values (an outcome undefined in that run: nothing to average, simulation/outcomes.py)
    are left out: ``n`` counts the runs where it is defined and ``undefined`` the others. With
    one defined replication the standard deviation and the interval do not exist: they are
    ``None`` (JSON ``null``), never a made-up zero; with none, the mean is ``None`` too.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("describe() needs at least one value")
    defined = ~np.isnan(x)
    undefined = int(x.size - defined.sum())
    x = x[defined]
    n = int(x.size)
    if n == 0:
        return {"mean": None, "sd": None, "ci95_low": None, "ci95_high": None, "n": 0,
                "undefined": undefined}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "sd": None, "ci95_low": None, "ci95_high": None, "n": n,
                "undefined": undefined}
    from experiments.io.t_quantiles import t975  # scipy's quantiles, without importing scipy

    sd = float(x.std(ddof=1))
    half = t975(n - 1) * sd / math.sqrt(n)
    return {"mean": mean, "sd": sd, "ci95_low": mean - half, "ci95_high": mean + half, "n": n,
            "undefined": undefined}


def paired_p(d: dict[str, Any]) -> float:
    """Two-sided p of the paired t test from :func:`describe` (NaN
    with fewer than 2 pairs: not tested; Student t's distribution function from scipy.special,
    as scipy.stats computes it, without the second of importing scipy.stats)."""
    from scipy.special import stdtr

    if d["sd"] is None:
        return math.nan
    if d["sd"] == 0:  # identical in every seed: not tested
        return math.nan if d["mean"] == 0 else 0.0
    stat = d["mean"] / (d["sd"] / math.sqrt(d["n"]))
    return float(2 * stdtr(d["n"] - 1, -abs(stat)))


def fdr(ps: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg q-values (NaN stays NaN): scipy.stats.false_discovery_control's
    "bh" steps in numpy (sorted p times m / rank, running minimum from the largest, at most 1),
    without the second of importing scipy.stats (tests/test_results.py compares them)."""
    p = np.asarray(ps, dtype=float)
    q = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    x = p[ok]
    if len(x) <= 1:
        q[ok] = x
        return q.tolist()
    order = np.argsort(x)
    adjusted = x[order] * (len(x) / np.arange(1, len(x) + 1, dtype=float))
    adjusted = np.minimum.accumulate(adjusted[::-1])[::-1]
    x[order] = np.clip(adjusted, 0.0, 1.0)
    q[ok] = x
    return q.tolist()


def summarise(summaries: Sequence[dict[str, float]] | Any) -> dict[str, dict[str, Any]]:
    """Per outcome (in the registry's order): :func:`describe` plus its unit; ``summaries``
    is one dict per replication, or a table with a column per outcome (:data:`Columns` or a
    DataFrame)."""
    out = {}
    for o in OUTCOMES:
        values = [s[o.key] for s in summaries] if isinstance(summaries, Sequence) else summaries[o.key]
        out[o.key] = {**describe(values), "unit": o.unit}
    return out


def paired_differences(base: Sequence[dict[str, float]], other: Sequence[dict[str, float]]
                       ) -> dict[str, dict[str, Any]]:
    """Per outcome: :func:`describe` of ``other - base`` replication by replication (the two
    lists hold the same seeds in the same order). A seed where the outcome is undefined in
    either run (NaN) gives no pair: ``n`` counts the pairs, ``undefined`` the seeds left out."""
    if len(base) != len(other):
        raise ValueError(f"paired differences need as many replications; found {len(base)} and {len(other)}")
    return {o.key: {**describe([b[o.key] - a[o.key] for a, b in zip(base, other, strict=True)]),
                    "unit": o.unit} for o in OUTCOMES}


# --- under --posterior: replications grouped by parameter draw ---------------------------

#: Central share of the spread intervals under ``--posterior`` (over draws, and for one run).
SPREAD = 0.90
#: Fewer draws than this: the variance shares come with a warning (their interval is wide).
FEW_DRAWS = 10

#: What each figure under ``--posterior`` is, in words (summary.json ``posterior.intervals``).
POSTERIOR_WORDS = {
    "mean, ci95_low, ci95_high": "the mean over every replication and its 95% confidence interval, with a "
        "cluster-robust standard error (clusters = parameter draws, Student t with draws - 1 df): replications "
        "that share a draw are not counted as independent; it shrinks as draws are added",
    "draws_low, draws_high": "where E[Y | parameters] (the outcome expected from a parameter draw, seed noise "
        "averaged out) lies for a new draw of the posterior, at least 90% on average (conservative): a "
        "distribution-free prediction interval, the order statistics k and D + 1 - k of the D draw means, k = "
        "floor(0.05 (D + 1)), each draw mean first shrunk towards their mean so that their variance is the "
        "posterior variance at the 95% upper bound of the posterior share (a draw mean also holds the seed noise "
        "of its seeds_per_draw runs); its content (D + 1 - 2k) / (D + 1), draws_content, is 90% or more from "
        "19 draws, less below (the range of the draws: 82% for 10). draws_estimate_low/high: the same with the "
        "estimated share (narrower, under 90% when the split is poorly known); draw_means_low/high: unshrunk; "
        "none of them shrinks with more draws",
    "one_run_low, one_run_high": "90% predictive interval for one run (one parameter draw, one seed): the "
        "same order statistics over every replication (one_run_content)",
    "posterior_share, seed_share": "shares of the variance of one run from the posterior (between draws) "
        "and from seeds (within a draw): one-way random-effects analysis of variance, method of moments; "
        "posterior_share_low/high: its 95% interval (F distribution, exact for normal effects)",
}


def clustered(values: Sequence[float], draws: Sequence[int]) -> dict[str, Any]:
    """:func:`describe` for replications grouped by parameter draw: the mean over every
    defined replication with a cluster-robust (CR1) standard error, clusters = draws,

        se^2 = G / (G - 1) * sum_g (sum_{i in g} (y_i - mean))^2 / n^2,

    and its 95% interval with Student t on G - 1 degrees of freedom. With equal draws it is
    sd(draw means) / sqrt(G). ``sd`` is that of single replications; ``draws`` = G."""
    x = np.asarray(values, dtype=float)
    g = np.asarray(draws)
    defined = ~np.isnan(x)
    out: dict[str, Any] = {"mean": None, "sd": None, "se": None, "ci95_low": None, "ci95_high": None,
                           "n": int(defined.sum()), "undefined": int((~defined).sum()), "draws": 0, "df": None}
    x, g = x[defined], g[defined]
    if x.size == 0:
        return out
    labels, inv = np.unique(g, return_inverse=True)
    mean = float(x.mean())
    out.update(mean=mean, draws=len(labels), sd=float(x.std(ddof=1)) if x.size > 1 else None)
    if len(labels) < 2:
        return out
    from experiments.io.t_quantiles import t975

    k = len(labels)
    score = np.bincount(inv, weights=x - mean)
    se = math.sqrt(k / (k - 1) * float((score ** 2).sum())) / x.size
    half = t975(k - 1) * se
    out.update(se=se, df=k - 1, ci95_low=mean - half, ci95_high=mean + half)
    return out


def variance_components(values: Sequence[float], draws: Sequence[int], confidence: float = 0.95
                        ) -> dict[str, Any]:
    """Shares of one run's variance from the posterior and from seeds: the one-way
    random-effects model y = mu + a_draw + e_seed. With D draws of m seeds (the draws whose
    m runs are all defined), MSB = m var(draw means), MSW = the pooled within-draw variance,

        seed variance = MSW,  posterior variance = max(0, (MSB - MSW) / m),

    and the posterior share (the intraclass correlation) has the interval of the F ratio
    MSB / MSW on (D - 1, D (m - 1)) degrees of freedom (exact when a and e are normal).
    ``warning`` says when the shares rest on fewer than :data:`FEW_DRAWS` draws."""
    x = np.asarray(values, dtype=float)
    g = np.asarray(draws)
    labels, counts = np.unique(g, return_counts=True)
    m = int(counts.max()) if len(counts) else 0
    rows = [x[g == lab] for lab, c in zip(labels, counts, strict=True) if c == m]
    rows = [r for r in rows if not np.isnan(r).any()]
    out: dict[str, Any] = {"posterior_share": None, "seed_share": None, "posterior_share_low": None,
                           "posterior_share_high": None, "posterior_var": None, "seed_var": None,
                           "draws": len(rows), "seeds_per_draw": m, "f_ratio": None, "misfit": False,
                           "warning": None}
    if len(rows) < 2 or m < 2:
        out["warning"] = (f"not estimable: needs at least 2 draws with at least 2 defined runs each; found "
                          f"{len(rows)} draw(s) of {m} run(s)")
        return out
    y = np.vstack(rows)
    d = len(y)
    msb = m * float(np.var(y.mean(axis=1), ddof=1))
    msw = float(np.mean(np.var(y, axis=1, ddof=1)))
    post = max(0.0, (msb - msw) / m)
    total = post + msw
    out.update(posterior_var=post, seed_var=msw,
               posterior_share=post / total if total > 0 else None,
               seed_share=msw / total if total > 0 else None)
    if msw > 0:
        from scipy.special import fdtri

        a = (1 - confidence) / 2
        f = msb / msw
        f_low, f_high = f / fdtri(d - 1, d * (m - 1), 1 - a), f / fdtri(d - 1, d * (m - 1), a)
        out["posterior_share_low"] = float(min(1.0, max(0.0, (f_low - 1) / (f_low + m - 1))))
        out["posterior_share_high"] = float(min(1.0, max(0.0, (f_high - 1) / (f_high + m - 1))))
    out["f_ratio"] = msb / msw if msw > 0 else None
    if out["posterior_share_high"] == 0:
        out["misfit"] = True
        out["warning"] = (f"the draw means vary less than seed noise alone predicts (F = {msb / msw:.2f} on "
                          f"{d - 1} and {d * (m - 1)} df, below its 2.5% point): chance (1 in 40 when the "
                          "posterior share is 0) or the random-effects model does not fit this outcome")
    if d < FEW_DRAWS:
        out["warning"] = ((out["warning"] + "; ") if out["warning"] else "") + (
            f"rests on {d} draws of {m} seeds: the shares are rough (see their interval); use at least "
            f"{FEW_DRAWS} draws")
    if len(rows) < len(labels):
        left = len(labels) - len(rows)
        out["warning"] = ((out["warning"] + "; ") if out["warning"] else "") + (
            f"{left} draw(s) left out (an undefined run, or fewer seeds)")
    return out


def prediction_interval(values: np.ndarray, content: float = SPREAD) -> tuple[float, float, float]:
    """Distribution-free prediction interval for one more value of the distribution the iid
    ``values`` come from: the order statistics x_(k) and x_(n+1-k), k = floor((1 - content) / 2
    (n + 1)) (at least 1), whose expected content is (n + 1 - 2k) / (n + 1): at least
    ``content`` once n >= 19 for 90%; below, the range of the values, with its lower content
    (82% for 10 values). Returns (low, high, expected content)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    k = max(1, math.floor((1 - content) / 2 * (n + 1)))
    return float(x[k - 1]), float(x[n - k]), (n + 1 - 2 * k) / (n + 1)


def posterior_readings(values: Sequence[float], draws: Sequence[int]) -> dict[str, Any]:
    """The three readings of one outcome (or of a paired difference) under ``--posterior``
    (:data:`POSTERIOR_WORDS`): :func:`clustered`, the :func:`prediction_interval` of E[Y | theta]
    over draws and of one run, and :func:`variance_components`."""
    x = np.asarray(values, dtype=float)
    g = np.asarray(draws)
    out = clustered(x, g)
    ok = ~np.isnan(x)
    means = np.array([x[ok & (g == lab)].mean() for lab in np.unique(g[ok])]) if ok.any() else np.array([])
    spread: dict[str, Any] = dict.fromkeys(
        ("draws_low", "draws_high", "draws_content", "draws_estimate_low", "draws_estimate_high", "draw_means_low",
         "draw_means_high", "one_run_low", "one_run_high", "one_run_content"))
    comp = variance_components(x, g)
    if len(means) >= 2:
        lo, hi, _ = prediction_interval(means)
        spread.update(draw_means_low=lo, draw_means_high=hi)
        # E[Y | parameters]: the draw means shrunk towards their mean until their variance is the
        # posterior's part alone (each holds the seed noise of a mean of m runs besides): with the
        # estimated posterior variance (draws_estimate), and, the interval shown, with its 95% upper
        # bound, so that a poorly known split widens it instead of hiding the spread
        pv, sv, m = comp["posterior_var"], comp["seed_var"], comp["seeds_per_draw"]
        centre = float(means.mean())
        if pv is not None and pv + sv / m > 0:
            lo, hi, _ = prediction_interval(centre + math.sqrt(pv / (pv + sv / m)) * (means - centre))
            spread.update(draws_estimate_low=lo, draws_estimate_high=hi)
        top = comp["posterior_share_high"]
        if top is not None:
            shrink = 1.0 if top >= 1 else math.sqrt(top / (top + (1 - top) / m))  # pv_top = top / (1 - top) sv
            lo, hi, c = prediction_interval(centre + shrink * (means - centre))
            spread.update(draws_low=lo, draws_high=hi, draws_content=c)
    if ok.sum() >= 2:
        lo, hi, c = prediction_interval(x[ok])
        spread.update(one_run_low=lo, one_run_high=hi, one_run_content=c)
    comp["share_draws"] = comp.pop("draws")  # the draws the shares rest on (complete ones)
    return {**out, **spread, **comp}


def posterior_outcomes(table: Any, draws: Sequence[int]) -> dict[str, dict[str, Any]]:
    """Per outcome (registry order): :func:`posterior_readings` and its unit; ``table`` has a
    column per outcome (:data:`Columns` or a DataFrame) or is one dict per replication,
    ``draws`` each one's draw."""
    def column(key: str) -> np.ndarray:
        if isinstance(table, Sequence):
            return np.array([row[key] for row in table], dtype=float)
        return np.asarray(table[key], dtype=float)

    return {o.key: {**posterior_readings(column(o.key), draws), "unit": o.unit} for o in OUTCOMES}


def posterior_split(outcomes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The variance shares of :func:`posterior_outcomes` alone (summary.json
    ``posterior.variance_split``)."""
    keys = ("posterior_share", "seed_share", "posterior_share_low", "posterior_share_high", "posterior_var",
            "seed_var", "share_draws", "seeds_per_draw", "f_ratio", "misfit", "warning")
    return {k: {key: st[key] for key in keys} for k, st in outcomes.items()}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def posterior_rows(outcomes: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    """Table rows (header first) of the readings under ``--posterior``, for the terminal and
    summary.md."""
    rows = [("outcome", "mean [95% CI, by draw]", "90% of draws: E[Y|theta]", "90% one run",
             "variance from the posterior [95%]", "unit")]
    for key, st in outcomes.items():
        spread = "-" if st["draws_low"] is None else f"[{fmt(st['draws_low'])}, {fmt(st['draws_high'])}]"
        if st["draws_content"] is not None and st["draws_content"] < SPREAD:
            spread += f" ({st['draws_content']:.0%})"
        one = "-" if st["one_run_low"] is None else f"[{fmt(st['one_run_low'])}, {fmt(st['one_run_high'])}]"
        share = _pct(st["posterior_share"])
        if st["posterior_share_low"] is not None:
            share += f" [{_pct(st['posterior_share_low'])}, {_pct(st['posterior_share_high'])}]"
        if st.get("misfit"):
            share += " (F low: see warning)"
        rows.append((key, fmt_interval(st), spread, one, share, st["unit"]))
    return rows


def posterior_words(note: dict[str, Any]) -> list[str]:
    """Lines saying what the columns of :func:`posterior_rows` are, and on how many draws."""
    d, m = note["draws"], note["seeds_per_draw"]
    lines = [f"Under --posterior {note['folder']}: {d} parameter draws x {m} seeds each "
             f"({d * m} replications); replications sharing a draw are grouped.",
             *(f"- {k}: {v}" for k, v in POSTERIOR_WORDS.items())]
    if d < FEW_DRAWS:
        lines.append(f"Warning: {d} draws are few (under {FEW_DRAWS}): the intervals over draws and the "
                     "variance shares are rough; add replications.")
    return lines


def markdown_table(rows: Sequence[Sequence[str]]) -> str:
    return "\n".join(["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0]),
                      *("| " + " | ".join(r) + " |" for r in rows[1:])])


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
        self._lock: int | None = None

    def __enter__(self) -> ResultFolder:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self.removed = remove_stale_partials(self.out)
            self.path.mkdir()
            self._lock = _locked(self.path)  # held until the folder is complete or removed
        except OSError as exc:
            raise InputError(f"--out {self.out}: expected a writable folder; found "
                             f"{os_problem(exc)}") from None
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._finish(exc_type, exc)
        finally:
            if self._lock is not None:
                os.close(self._lock)

    def _finish(self, exc_type: object, exc: object) -> None:
        if exc_type is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):  # disk full...
                raise ResourceError(f"--out {self.out}: could not write the results folder: "
                                    f"{os_problem(exc)}; no results folder was left") from None
            return
        try:
            self.final = self._commit()
        except OSError as err:
            shutil.rmtree(self.path, ignore_errors=True)
            raise ResourceError(f"--out {self.out}: could not finish the results folder: "
                                f"{os_problem(err)}") from None

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


#: A partial folder younger than this is never taken for stale (its owner may not have
#: locked it yet).
STALE_SECONDS = 5.0


def _locked(path: Path) -> int | None:
    """An open descriptor of the folder ``path`` holding its exclusive lock, or None when
    another process holds it (the kernel releases it when that process dies, whatever its
    PID namespace; on one host, or on a file system that shares locks)."""
    import fcntl

    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def stale_partials(out: Path) -> list[Path]:
    """Hidden ``.partial-...`` folders in ``out`` that no process holds locked (older than
    :data:`STALE_SECONDS`): the leftovers of killed runs. A running ``alliance`` locks its own
    folder, so it is never listed, even from another container or PID namespace."""
    import time

    found = []
    for path in Path(out).glob(".*.partial-*"):
        try:
            if not path.is_dir() or time.time() - path.stat().st_mtime < STALE_SECONDS:
                continue
            fd = _locked(path)
        except OSError:  # gone meanwhile, or unreadable: not ours to remove
            continue
        if fd is not None:
            os.close(fd)
            found.append(path)
    return sorted(found)


def remove_stale_partials(out: Path) -> list[Path]:
    """Delete :func:`stale_partials` (done by every ``alliance run`` and ``compare``)."""
    gone = stale_partials(out)
    for path in gone:
        shutil.rmtree(path, ignore_errors=True)
    return gone


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


#: A table as plain columns, ``{name: values}`` (every column as long): what the command writes
#: without pandas (series.csv, series.parquet, replications.csv, territories.csv).
Columns = dict[str, Any]


def _cells(values: Any) -> list[str]:
    """A column's cells as ``pandas.DataFrame.to_csv`` writes them: numbers as numpy prints
    them (the shortest text that reads back the same float), NaN as an empty cell, text as is."""
    a = np.asarray(values)
    if a.dtype.kind == "f":
        cells = a.astype(str)
        cells[np.isnan(a)] = ""
        return cells.tolist()
    if a.dtype.kind in "iub":
        return a.astype(str).tolist()
    return ["" if v is None else str(v) for v in a.tolist()]  # None as pandas writes it


def write_csv(out: Path | Any, table: Columns, header: bool = True) -> None:
    """``table`` as CSV, byte for byte what pandas' ``to_csv(index=False)`` writes (the same
    csv module, quoting and line ends), into the file ``out`` or an open text file."""
    import csv

    if isinstance(out, Path):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            write_csv(fh, table, header)
        return
    writer = csv.writer(out, lineterminator=os.linesep)
    if header:
        writer.writerow(list(table))
    writer.writerows(zip(*(_cells(v) for v in table.values()), strict=True))


def _arrow(table: Columns) -> Any:
    """``table`` as an Arrow table, as ``pyarrow.Table.from_pandas`` would give (NaN as null,
    text as strings), built from buffers: pyarrow's converters would import pandas."""
    import pyarrow as pa

    arrays = []
    for values in table.values():
        a = np.asarray(values)
        if a.dtype.kind == "f":
            a = np.ascontiguousarray(a, dtype=np.float64)
            ok = ~np.isnan(a)
            nulls = int(a.size - ok.sum())
            mask = pa.py_buffer(np.packbits(ok, bitorder="little")) if nulls else None
            arrays.append(pa.Array.from_buffers(pa.float64(), a.size, [mask, pa.py_buffer(a)], null_count=nulls))
        elif a.dtype.kind in "iu":
            a = np.ascontiguousarray(a, dtype=np.int64)
            arrays.append(pa.Array.from_buffers(pa.int64(), a.size, [None, pa.py_buffer(a)]))
        else:
            data = [str(v).encode("utf-8") for v in a.tolist()]
            offsets = np.zeros(len(data) + 1, dtype=np.int64)
            np.cumsum([len(d) for d in data], out=offsets[1:])
            arrays.append(pa.Array.from_buffers(pa.large_string(), len(data),
                                                [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]))
    return pa.Table.from_arrays(arrays, names=list(table))


def concat_columns(parts: Sequence[Columns]) -> Columns:
    """Tables with the same columns, one under the other."""
    return {name: np.concatenate([np.asarray(p[name]) for p in parts]) for name in parts[0]}


def _with_first(rows: int, first: dict[str, Any], table: Any) -> Columns:
    """``first`` (one value each, repeated on every row) then the columns of ``table`` (a
    DataFrame or a :data:`Columns`)."""
    out: Columns = {}
    for name, value in first.items():
        out[name] = (np.array([value] * rows, dtype=object) if isinstance(value, str)
                     else np.full(rows, value, dtype=np.int64 if isinstance(value, int) else None))
    out.update({name: np.asarray(table[name]) for name in table})
    return out


def stack_series(frames: Sequence[Any], seeds: Sequence[int],
                 extra: dict[str, Sequence[Any]] | None = None) -> Columns:
    """The monthly series of every replication (each ``{column: values}`` or a DataFrame) in
    one long table with ``rep`` and ``seed`` columns first (and any ``extra`` per-replication
    columns such as ``scenario``)."""
    parts = []
    for rep, (frame, seed) in enumerate(zip(frames, seeds, strict=True)):
        if frame is None:
            raise ValueError(f"replication {rep} (seed {seed}) returned no monthly series")
        first = {name: values[rep] for name, values in (extra or {}).items()}
        parts.append(_with_first(len(frame["month"]), {**first, "rep": rep, "seed": seed}, frame))
    return concat_columns(parts)


def replication_table(summaries: Sequence[dict[str, float]], seeds: Sequence[int],
                      extra: dict[str, Sequence[Any]] | None = None) -> Columns:
    """One row per replication: any ``extra`` columns, ``rep``, ``seed`` and every outcome."""
    table: Columns = {name: np.array(list(values), dtype=object) for name, values in (extra or {}).items()}
    table.update(rep=np.arange(len(seeds)), seed=np.array(seeds, dtype=np.int64))
    table.update({o.key: np.array([s[o.key] for s in summaries], dtype=float) for o in OUTCOMES})
    return table


def territory_columns(rep: int, seed: int, cols: dict[str, np.ndarray], names: Sequence[str] | None = None,
                      extra: dict[str, Any] | None = None) -> Columns:
    """The rows of ``territories.csv`` of one replication: ``rep``, ``seed``, ``territory``
    (index), ``name`` (from the territories table, or ``T<index>``), any ``extra`` value, then
    :data:`simulation.territories.TERRITORY_COLUMNS`."""
    from simulation.territories import TERRITORY_COLUMNS

    n = len(cols["impact"])
    table: Columns = {"rep": np.full(n, rep, dtype=np.int64), "seed": np.full(n, seed, dtype=np.int64),
                      "territory": np.arange(n),
                      "name": np.array(list(names) if names else [f"T{t}" for t in range(n)], dtype=object)}
    table.update(_with_first(n, extra or {}, {}))
    table.update({c: cols[c] for c in TERRITORY_COLUMNS})
    return table


class StreamedTables:
    """The tables of ``alliance run`` written as replications arrive, so that memory does not
    grow with their number: the monthly series are appended to ``series.parquet`` (one row
    group per :data:`ROWS_PER_WRITE` rows or :data:`FRAMES_PER_WRITE` replications) and
    ``series.csv``; only each replication's
    outcomes are kept (8 bytes per outcome), for ``replications.csv`` and the statistics.
    When a replication brings its outcomes per territory, they are appended to
    ``territories.csv`` at the same moments. Written without pandas (its import would be a
    third of a short command's time)."""

    #: Rows of monthly series, and replications, buffered before they are written.
    ROWS_PER_WRITE = 100_000
    FRAMES_PER_WRITE = 500

    def __init__(self, folder: Path, total: int, names: Sequence[str] | None = None):
        self.folder = Path(folder)
        self.names = names
        self._territories: list[Columns] = []
        self._territories_csv: Any = None
        self.outcomes = np.full((total, len(OUTCOMES)), np.nan)
        self.seeds = np.zeros(total, dtype=np.int64)
        self._buffer: list[Columns] = []
        self._rows = 0
        self._parquet: Any = None
        self._csv: Any = None

    def add(self, rep: int, seed: int, out: dict[str, Any]) -> None:
        """One replication's output (:func:`experiments.execution.executor.run_model`; its
        series as ``{column: values}`` or a DataFrame)."""
        frame = out["series"]
        if frame is None:
            raise ValueError(f"replication {rep} (seed {seed}) returned no monthly series")
        part = _with_first(len(frame["month"]), {"rep": rep, "seed": seed}, frame)
        self._buffer.append(part)
        self._rows += len(part["rep"])
        self.seeds[rep] = seed
        self.outcomes[rep] = [out["summary"][o.key] for o in OUTCOMES]
        if out.get("territories") is not None:
            self._territories.append(territory_columns(rep, seed, out["territories"], self.names))
        if self._rows >= self.ROWS_PER_WRITE or len(self._buffer) >= self.FRAMES_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        if self._territories:
            table = concat_columns(self._territories)
            self._territories = []
            first = self._territories_csv is None
            if first:
                self._territories_csv = open(self.folder / "territories.csv", "w",  # noqa: SIM115
                                             encoding="utf-8", newline="")
            write_csv(self._territories_csv, table, header=first)
        if not self._buffer:
            return
        import pyarrow.parquet as pq

        table = concat_columns(self._buffer)
        self._buffer, self._rows = [], 0
        arrow = _arrow(table)
        first = self._parquet is None
        if first:
            self._parquet = pq.ParquetWriter(self.folder / "series.parquet", arrow.schema)
            self._csv = open(self.folder / "series.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._parquet.write_table(arrow)
        write_csv(self._csv, table, header=first)

    def close(self) -> Columns:
        """Write what is buffered, close the files and write ``replications.csv``; returns
        the replications table (``rep``, ``seed`` and every outcome)."""
        try:
            self._flush()
        finally:
            if self._parquet is not None:
                self._parquet.close()
                self._csv.close()
            if self._territories_csv is not None:
                self._territories_csv.close()
        table: Columns = {"rep": np.arange(len(self.seeds)), "seed": self.seeds}
        table.update({o.key: self.outcomes[:, i] for i, o in enumerate(OUTCOMES)})
        write_csv(self.folder / "replications.csv", table)
        return table


def read_series(folder: Path, columns: Sequence[str]) -> pd.DataFrame:
    """Some columns of a folder's ``series.parquet`` (those it has)."""
    import pandas as pd
    import pyarrow.parquet as pq

    path = Path(folder) / "series.parquet"
    have = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[c for c in columns if c in have])


def write_tables(folder: Path, series: Columns, replications: Columns) -> list[str]:
    import pyarrow.parquet as pq

    pq.write_table(_arrow(series), folder / "series.parquet")
    write_csv(folder / "series.csv", series)
    write_csv(folder / "replications.csv", replications)
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



# --------------------------------------------------------------------------------------
# Damage: atomic writes, interrupted folders, resuming a damaged sensitivity folder
# --------------------------------------------------------------------------------------

def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file under a temporary name then rename it: a crash or a full disk leaves the
    old file or none, never a half-written one."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def kept(exc: BaseException, folder: Path, command: str = "sensitivity"):
    """The error of a sensitivity experiment (or calibration) stopped by the machine or the
    cluster, saying that its finished chunks are kept and how to resume."""
    from experiments.io.errors import ResourceError, os_problem

    what = os_problem(exc) if isinstance(exc, OSError) else str(exc)
    return ResourceError(f"{what}; the finished chunks are kept in {folder}: resume with "
                         f"'alliance {command} --resume {folder}'")


_BROKEN = object()
_LOCKS: dict[str, Any] = {}  # folder -> its open lock file, held until this process ends


def lock_folder(folder: Path, what: str) -> None:
    """Hold an exclusive lock on ``folder`` until this process ends (the kernel releases it
    if the process dies); InputError when another process holds it."""
    import fcntl

    if str(Path(folder).resolve()) in _LOCKS:
        return
    fh = open(folder / ".lock", "a+", encoding="utf-8")  # noqa: SIM115
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        owner = fh.read().strip() or "unknown"
        fh.close()
        raise InputError(f"{what} {folder}: expected a folder no other process is using; found it in "
                         f"use by process {owner}: wait for it or stop it") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    _LOCKS[str(Path(folder).resolve())] = fh
_MODEL_KEY = b"alliance_model_fingerprint"


_DESIGN_KEY = b"alliance_design"


def design_key(spec: Any, base: Any) -> str:
    """SHA-256 (16 hex digits) of what a design's runs depend on: the spec as read and the
    base parameters. A checkpoint written under another key is computed again."""
    import hashlib

    text = json.dumps({"spec": spec.raw, "base": base}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_checkpoint(path: Path, frame: pd.DataFrame, model: str, design: str = "") -> None:
    """A checkpoint file written under a temporary name of this process then renamed,
    carrying the fingerprint of the model and the key of the design that computed it
    (Parquet key-value metadata)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _MODEL_KEY: model.encode(),
                                           _DESIGN_KEY: design.encode()})
    tmp = path.with_name(f"{path.stem}.tmp-{os.getpid()}")
    try:
        pq.write_table(table, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def checkpoint_current(path: Path, design: str) -> bool:
    """Whether ``path`` is a checkpoint of this design (a file written before designs were
    keyed counts as one; a damaged file is left to :func:`repair_folder`)."""
    import pyarrow.parquet as pq

    if not path.is_file():
        return False
    try:
        found = (pq.read_schema(path).metadata or {}).get(_DESIGN_KEY)
    except Exception:
        return True
    return not found or found.decode() == design


def checkpoint_models(folder: Path) -> set[str | None]:
    """The model fingerprints the checkpoint files in ``folder`` carry (None for a file that
    carries none, or cannot be read)."""
    import pyarrow.parquet as pq

    found: set[str | None] = set()
    for path in sorted(Path(folder).glob("*.parquet")) if Path(folder).is_dir() else []:
        try:
            meta = pq.read_schema(path).metadata or {}
        except Exception:  # a damaged file: repair_folder deletes it
            continue
        value = meta.get(_MODEL_KEY)
        found.add(value.decode() if value else None)
    return found


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, empty, truncated, not UTF-8
        return _BROKEN


def repair_folder(folder: Path, spec: Any, base_params: Any, fingerprint: Any,
                  progress: bool) -> tuple[dict, dict | None]:
    """Make a damaged or half-written sensitivity folder resumable, keeping its good parts.

    ``experiment.json`` and ``base_params.json`` that are missing, empty or unreadable are
    rebuilt from ``spec.toml``; the model fingerprint is then the one the checkpoints carry
    (today's when no run has finished; "unknown" when they carry none or several, which
    ``--resume`` refuses), never silently today's; checkpoint files that
    cannot be read, or lack the spec's outcomes, are deleted so that their chunks run again;
    leftover temporary files are removed. Returns the saved metadata and the base parameters.
    """
    import re

    import pandas as pd

    notes = []
    lock_folder(folder, "--resume")
    saved = _read_json(folder / "experiment.json")
    if not (isinstance(saved, dict) and isinstance(saved.get("name"), str)
            and isinstance(saved.get("model_fingerprint"), str)):
        name = re.sub(r"^\d{8}T\d{6}Z-", "", folder.name) or spec.name
        models = checkpoint_models(folder / "checkpoint")
        if not models:  # no finished run: nothing old to mix with today's model
            model, how = fingerprint(spec), "no finished runs, so today's model"
        elif len(models) == 1 and None not in models:
            model, how = next(iter(models)), "the model that wrote its checkpoints"
        else:  # the resume check then refuses: which model wrote the runs cannot be told
            model = "unknown (" + ", ".join(sorted(str(m) for m in models)) + ")"
            how = "the model of its checkpoints cannot be told"
        saved = {"name": name, "spec": "spec.toml", "model_fingerprint": model, "rebuilt": True}
        write_atomic(folder / "experiment.json", json.dumps(saved) + "\n")
        notes.append(f"experiment.json was damaged: rebuilt from spec.toml; model fingerprint {model} "
                     f"({how})")
    base = _read_json(folder / "base_params.json")
    if base is _BROKEN or (spec.is_simulation and not _valid_params(base)) or (
            not spec.is_simulation and base is not None):
        base = base_params(spec)
        write_atomic(folder / "base_params.json", json.dumps(base, indent=1) + "\n")
        notes.append("base_params.json was damaged: rebuilt from the spec's base scenario")
    checkpoints = folder / "checkpoint"
    if checkpoints.exists() and not checkpoints.is_dir():
        checkpoints.unlink()
        notes.append("checkpoint was a file, not a folder: every run will be computed again")
    checkpoints.mkdir(exist_ok=True)
    size = spec.execution["chunk_runs"]
    for path in sorted(checkpoints.iterdir()):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            notes.append(f"checkpoint/{path.name} was a folder: its runs will be computed again")
            continue
        if path.suffix != ".parquet":
            path.unlink()  # a temporary file of an interrupted write
            continue
        index = path.stem.rpartition("-")[2]
        try:
            frame = pd.read_parquet(path)
            good = ("run" in frame.columns and len(frame) > 0
                    and all(o in frame.columns for o in spec.outcomes)
                    and (frame["run"].diff().dropna() == 1).all()
                    and index.isdigit() and frame["run"].iat[0] == int(index) * size)
        except Exception:  # pyarrow raises several kinds for a damaged file
            good = False
        if not good:
            path.unlink()
            notes.append(f"checkpoint/{path.name} was damaged: its runs will be computed again")
    if progress:
        for note in notes:
            print(f"alliance: {note}", file=sys.stderr)
    return saved, base


def _valid_params(data: Any) -> bool:
    from simulation import ParameterError, Params

    if not isinstance(data, dict):
        return False
    try:
        Params.from_dict(data)
    except ParameterError:
        return False
    return True


def available_memory() -> int | None:
    """Bytes of memory available now, or None: the kernel's MemAvailable on Linux (what psutil
    reports there, without its 0.05 s import), psutil (which comes with dask.distributed)
    elsewhere."""
    try:
        with open("/proc/meminfo", "rb") as fh:
            for line in fh:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:
        return None


#: Work estimated above this many seconds is announced with its estimate before it starts.
ANNOUNCE_SECONDS = 60.0
#: Work estimated above this many seconds is refused unless ``--force`` is given: a typo
#: (``--reps 1000000``) should not hold a shared machine for a day without being asked.
MAX_SECONDS = 2 * 3600.0


def check_run_size(reps: int, params: Any, *, scenarios: int = 1, streamed: bool = False,
                   workers: int = 1, force: bool = False) -> str | None:
    """Refuse up front work that would not fit or would last too long; return a line giving
    the time estimate when the work is large (None otherwise).

    * a model whose actors do not fit (:func:`check_model_size`), ``workers`` at once;
    * replications whose results would take over half of the memory available now: with
      ``streamed`` (``alliance run``) only each replication's outcomes stay in memory, else
      each also holds its parameters and its monthly series until the folder is written;
    * an estimated time over :data:`MAX_SECONDS`, unless ``force``.
    """
    check_model_size(params, "parameters (the scenario, --set, --months)", workers)
    runs = reps * scenarios
    per_rep = (8 * (len(OUTCOMES) + 2) + 100 if streamed
               else 10 * len(json.dumps(params.model_dump(), default=str)) + params.run.months * 64 * 8 * 4)
    need = runs * per_rep
    free = available_memory()
    if free is not None and need > free / 2:
        raise InputError(f"--reps {reps}: expected replications whose results fit in half of the "
                         f"{free / 2**30:.1f} GiB of memory available; found about "
                         f"{need / 2**30:.1f} GiB for {runs:,} runs of {params.run.months} "
                         f"months (at most about {int(free / 2 / per_rep) // scenarios:,} replications)")
    seconds = runs * run_seconds(params) / max(1, min(workers, runs))
    actors, territories = model_size(params)
    estimate = (f"about {duration(seconds)} for {runs:,} runs of {params.run.months} months with "
                f"{actors:,} actors on {workers} worker(s) (estimated)")
    if seconds > MAX_SECONDS and not force:
        raise InputError(f"--reps {reps}: expected work under {duration(MAX_SECONDS)}; found {estimate}; "
                         "add --force to run it anyway, or lower --reps, --months or the territories")
    return estimate if seconds > ANNOUNCE_SECONDS else None


#: Bytes of memory a model run needs per actor (its record, 205 bytes, and the temporaries of
#: initialisation and of a month) and per territory (initiative slots, neighbours, series):
#: peak RSS less that of a warm process, measured on 2026-12-01 with 1,000,408 actors in 100
#: territories (730 B per actor) and 28,008 actors in 2,000 territories (~29 kB per
#: territory), rounded up.
BYTES_PER_ACTOR = 1_000
BYTES_PER_TERRITORY = 40_000
#: CPU seconds of a run, measured the same day on this project's 2-core machine: a fixed part,
#: setting up each actor (2.1 us), each actor-month (0.09 us) and each territory-month
#: (20-100 us: it grows with the initiatives under way). The estimate is within a factor of
#: about 2 of the runs measured (baseline; 100 x 10,000 associations; 2,000 territories).
SECONDS_PER_RUN = 0.05
SECONDS_PER_ACTOR = 2e-6
SECONDS_PER_ACTOR_MONTH = 1e-7
SECONDS_PER_TERRITORY_MONTH = 4e-5


def model_size(params: Any) -> tuple[int, int]:
    """``(actors, territories)`` a run of ``params`` allocates, counted without allocating."""
    t, a = params.territories, params.actors
    if t.records:
        n_ter = len(t.records)
        local = sum(1 + r.associations + r.firms for r in t.records)
        regions = max(r.region for r in t.records) + 1
    else:
        n_ter, regions = t.count, t.regions
        local = n_ter * (1 + a.associations_per_territory + a.firms_per_territory)
    return local + a.local_foundations_per_region * regions + 1 + a.national_foundations, n_ter


def run_bytes(params: Any) -> int:
    actors, territories = model_size(params)
    return actors * BYTES_PER_ACTOR + territories * BYTES_PER_TERRITORY + params.run.months * 64 * 8


def run_seconds(params: Any) -> float:
    """Estimated seconds of one run on one core."""
    actors, territories = model_size(params)
    return SECONDS_PER_RUN + actors * SECONDS_PER_ACTOR + params.run.months * (
        actors * SECONDS_PER_ACTOR_MONTH + territories * SECONDS_PER_TERRITORY_MONTH)


def check_model_size(params: Any, what: str = "parameters", workers: int = 1) -> None:
    """Refuse up front a model whose actors would not fit: ``workers`` runs at once must
    take at most half of the memory available now; the message gives the estimate."""
    actors, territories = model_size(params)
    need = run_bytes(params) * workers
    free = available_memory()
    if free is not None and need > free / 2:
        raise InputError(f"{what}: expected a model that fits in half of the {free / 2**30:.1f} GiB of "
                         f"memory available; found {actors:,} actors in {territories:,} territories, about "
                         f"{need / 2**30:.1f} GiB{f' for {workers} runs at once' if workers > 1 else ''}; "
                         "lower territories.count, actors.*_per_territory or the table's associations "
                         "and firms")


def duration(seconds: float) -> str:
    """A duration in plain words: 40 s, 12 min, 3.5 h, 2.0 days."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
