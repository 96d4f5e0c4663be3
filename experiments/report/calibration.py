"""The calibration's posterior and predictive checks, read from a folder written by
``alliance calibrate`` (experiments/calibration/report.py describes its files; nothing here
recomputes or changes them).

Read: ``summary.json`` (kind, name, quick, parameters with their prior ranges),
``posterior.csv`` (the last generation's particles, their ``weight``) and ``check.csv``
(each target's figure, band and predictive interval before and after calibration). The
section shows each parameter's prior range against its weighted posterior median and
central 90% interval, and each target's band against the predictive intervals; it says how
to produce a calibration when none is given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import outputs as out
from .sections import Section

#: Columns of check.csv the section reads.
CHECK_COLUMNS = ("target", "role", "figure", "band_low", "band_high", "before_median", "before_low",
                 "before_high", "before_in_band", "after_median", "after_low", "after_high", "after_in_band")

HOW = ("No calibration folder given. To add one: alliance calibrate experiments/calibration.toml "
       "--workers 2 (writes results/calibration-.../), then alliance report --calibration "
       "results/calibration-... (make report CALIBRATION=results/calibration-...).")


def _fail(path: Path, expected: str, found: Any) -> None:
    from experiments.io.errors import InputError

    raise InputError(f"report: --calibration: {path}: expected {expected}; found {found}")


def read(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """``summary.json``, ``posterior.csv`` and ``check.csv`` of a calibration folder,
    checked (InputError naming the file and what is missing)."""
    for name in ("summary.json", "posterior.csv", "check.csv"):
        if not (folder / name).is_file():
            _fail(folder / name, "a file written by alliance calibrate", "no such file")
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except ValueError as exc:
        _fail(folder / "summary.json", "JSON", str(exc)[:80])
    if not isinstance(summary, dict) or summary.get("kind") != "calibration":
        _fail(folder / "summary.json", "an object with kind 'calibration'",
              repr(summary.get("kind")) if isinstance(summary, dict) else type(summary).__name__)
    params = summary.get("parameters")
    if not (isinstance(params, list) and params and all(
            isinstance(p, dict) and {"path", "low", "high"} <= set(p) for p in params)):
        _fail(folder / "summary.json", "key 'parameters': a list of {path, low, high}", str(params)[:80])
    post = pd.read_csv(folder / "posterior.csv")
    if missing := [c for c in [p["path"] for p in params] + ["weight"] if c not in post.columns]:
        _fail(folder / "posterior.csv", f"columns {missing}", ", ".join(map(str, post.columns)))
    w = pd.to_numeric(post["weight"], errors="coerce").to_numpy(float)
    if len(w) == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        _fail(folder / "posterior.csv", "key 'weight': finite weights >= 0 with a positive sum",
              f"{len(w)} row(s)")
    check = pd.read_csv(folder / "check.csv")
    if missing := [c for c in CHECK_COLUMNS if c not in check.columns]:
        _fail(folder / "check.csv", f"columns {missing}", ", ".join(map(str, check.columns)))
    return summary, post, check


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x`` under weights ``w`` (inverse of the weighted CDF)."""
    order = np.argsort(x, kind="stable")
    cdf = np.cumsum(w[order]) / w.sum()
    return float(x[order][min(int(np.searchsorted(cdf, q)), len(x) - 1)])


def posterior_table(summary: dict[str, Any], post: pd.DataFrame) -> pd.DataFrame:
    """Each parameter's prior range, weighted posterior median and central 90% interval,
    and the interval's width as a share of the prior's."""
    w = post["weight"].to_numpy(float)
    rows = []
    for p in summary["parameters"]:
        x = post[p["path"]].to_numpy(float)
        lo, med, hi = (weighted_quantile(x, w, q) for q in (0.05, 0.5, 0.95))
        width = p["high"] - p["low"]
        rows.append({"parameter": p["path"], "prior_low": float(p["low"]), "prior_high": float(p["high"]),
                     "posterior_median": med, "posterior_5": lo, "posterior_95": hi,
                     "width_share_of_prior": (hi - lo) / width if width > 0 else float("nan")})
    return pd.DataFrame(rows)


def section(folder: Path, calibration: Path | None) -> Section:
    """The calibration section: the posterior table and figure, the predictive checks."""
    s = Section("calibration", "Calibration : postérieure et vérifications prédictives / "
                "Calibration: posterior and predictive checks")
    if calibration is None:
        s.text = [HOW]
        return s
    summary, post, check = read(calibration)
    table = posterior_table(summary, post)
    fitted = check[check["role"] == "fitted"]
    held = check[check["role"] != "fitted"]
    ess = 1.0 / np.sum((post["weight"] / post["weight"].sum()) ** 2)
    s.text = [
        f"Read from {calibration.name}/ (alliance calibrate, spec '{summary.get('name')}'"
        f"{', quick: a pipeline check, not a calibration' if summary.get('quick') else ''}): "
        f"{len(post)} particles of the last generation (effective sample size {ess:.0f}), "
        f"{summary.get('simulations', '?')} parameter sets simulated, stopped: {summary.get('stopped', '?')}.",
        f"Predictive check: {int((fitted['after_in_band'] >= 0.9).sum())} of {len(fitted)} fitted targets reach "
        "at least 90% of posterior draws in their band"
        + ("" if (fitted["after_in_band"] >= 0.9).all() else
           " (short: " + ", ".join(f"{_target(r.target)} {r.after_in_band:.0%} after, {r.before_in_band:.0%} before"
                                   for r in fitted.itertuples() if r.after_in_band < 0.9) + ")")
        + (f"; held out: {', '.join(f'{r.target} {r.after_in_band:.0%}' for r in held.itertuples())} in band."
           if len(held) else "."),
        "What the calibration does not cover: impact, needs and the lever strengths are not calibrated; the "
        "experimentation's power under uncertainty draws from this posterior only for the parameters it holds."
        + (" This is a quick calibration: the power under uncertainty that draws from it is a pipeline check too."
           if summary.get("quick") else ""),
    ]
    s.tables["calibration_posterior"] = (table, "Prior range and posterior median with central 90% interval")
    s.tables["calibration_check"] = (check[list(CHECK_COLUMNS)].copy(), "Targets: figure and band against "
                                     "the predictive interval before (base parameters) and after calibration")
    _posterior_figure(folder, summary, post)
    _check_figure(folder, check)
    s.figures["calibration_posterior"] = ("Postérieure de chaque paramètre (histogramme pondéré) sur sa plage "
                                          "a priori / Each parameter's weighted posterior over its prior range")
    s.figures["calibration_check"] = ("Vérification prédictive / Predictive check: band (grey), figure (x), "
                                      "interval before (open) and after calibration (filled)")
    return s


def _target(key: str) -> str:
    """A target's English label (an outcome of simulation/outcomes.py), else its key."""
    from simulation.outcomes import BY_KEY

    return BY_KEY[key].label_en if key in BY_KEY else key


def _posterior_figure(folder: Path, summary: dict[str, Any], post: pd.DataFrame) -> None:
    from experiments.io.figures import factor_label, new_figure

    params = summary["parameters"]
    cols = min(4, len(params))
    rows = -(-len(params) // cols)
    fig = new_figure(2.6 * cols, 2.0 * rows + 0.4, layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    w = post["weight"].to_numpy(float)
    for ax, p in zip(axes, params, strict=False):
        ax.hist(post[p["path"]].to_numpy(float), bins=15, range=(p["low"], p["high"]), weights=w / w.sum(),
                color="#468")
        ax.set_xlim(p["low"], p["high"])
        ax.set_title(factor_label(p["path"], sep="\n"), fontsize=6)
        ax.set_ylabel("poids / weight (share)", fontsize=6)
        ax.tick_params(labelsize=6)
    for ax in axes[len(params):]:
        ax.set_axis_off()
    out.save_figure(fig, folder, "calibration_posterior")


def _check_figure(folder: Path, check: pd.DataFrame) -> None:
    from experiments.io.figures import new_figure

    n = len(check)
    fig = new_figure(6.5, 0.55 * n + 1.0, layout="constrained")
    axes = np.atleast_1d(fig.subplots(n, 1)).ravel()
    for ax, r in zip(axes, check.itertuples(), strict=True):
        ax.axvspan(r.band_low, r.band_high, color="#ddd")
        ax.plot([r.figure], [0], "x", color="#c00")
        for y, label, filled in ((0.35, "before", False), (-0.35, "after", True)):
            med, lo, hi = getattr(r, f"{label}_median"), getattr(r, f"{label}_low"), getattr(r, f"{label}_high")
            ax.errorbar([med], [y], xerr=[[med - lo], [hi - med]], fmt="o", ms=4, capsize=2, color="#224",
                        mfc="#224" if filled else "white")
        values = [r.band_low, r.band_high, r.figure, r.before_low, r.before_high, r.after_low, r.after_high]
        ax.set_xlim(*out.honest_limits(values, "share" if max(values) <= 1 and min(values) >= 0 else ""))
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.set_ylabel(f"{_target(r.target)}\n({r.role})", rotation=0, ha="right", va="center", fontsize=6)
        ax.tick_params(labelsize=6)
    out.save_figure(fig, folder, "calibration_check")
