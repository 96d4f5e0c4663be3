"""Figures of results folders: the overview of the monthly series, one PNG per series on
request, and the comparison of scenarios. matplotlib's object API on an Agg canvas.

``alliance run`` and ``alliance compare`` draw the overview (and the comparison) at once;
``--figures all`` adds one PNG per series, ``--figures none`` draws nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation import OUTCOMES

#: Resolution of every PNG (dots per inch).
DPI = 100

#: Monthly series drawn as figures (when the model's series has them), with their labels.
FIGURE_SERIES: dict[str, str] = {
    "impact": "Cumulated impact on needs (need units)",
    "need_mean": "Mean remaining need (0-1)",
    "alliances_active": "Alliances acting (count)",
    "engagement": "Engagement of partners (0-1)",
    "trust_micro_macro": "Micro-macro trust (0-1)",
    "admin_burden": "Associations' time on applications (share)",
}

#: Outcomes drawn in the comparison figure.
COMPARE_OUTCOMES: tuple[str, ...] = (
    "impact", "equity_gap", "alliances_formed", "alliance_survival", "engagement",
    "scaling_rate", "abandonment_rate", "admin_burden", "application_success_rate",
    "small_associations_participation", "trust_micro_macro", "blocked_share",
)



def new_figure(width: float, height: float, layout: str | None = "constrained") -> Any:
    """A matplotlib Figure on its own Agg canvas (no pyplot, no global backend state).

    ``layout=None`` leaves the axes where :meth:`~matplotlib.figure.Figure.subplots_adjust`
    puts them: a fixed grid draws in about half the time of a constrained layout, which
    measures every text several times.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def series_figures(folder: Path, series: pd.DataFrame, title: str,
                   group: str | None = None, each: bool = False) -> list[str]:
    """The overview grid of the key series, ``figures/overview.png``, and with ``each`` one
    PNG per key series; returns the relative names. With ``group`` (a column such as
    ``scenario``) each group is a line."""
    cols = [c for c in FIGURE_SERIES if c in series.columns]
    if not cols or "month" not in series.columns:
        return []
    (folder / "figures").mkdir(exist_ok=True)
    groups = list(dict.fromkeys(series[group])) if group else [None]
    parts = [series if g is None else series[series[group] == g] for g in groups]
    bands = [_bands(part, cols) for part in parts]
    reps = series["rep"].nunique()
    note = (f"line: mean over {reps} replications; band: 5th-95th percentile"
            if reps > 1 else "one replication")
    written = []
    if each:
        for col in cols:
            fig = new_figure(6.4, 4)
            ax = fig.add_subplot()
            _draw_series(ax, col, groups, bands)
            if group:
                ax.legend(fontsize=8)
            fig.suptitle(f"{title}\n{note}", fontsize=9)
            name = f"figures/{col}.png"
            fig.savefig(folder / name)
            written.append(name)
    overview = new_figure(12, 6.5, layout=None)
    axes = overview.subplots(2, (len(cols) + 1) // 2, squeeze=False).ravel()
    overview.subplots_adjust(left=0.05, right=0.98, bottom=0.08, top=0.9, wspace=0.22, hspace=0.38)
    for ax, col in zip(axes, cols, strict=False):
        _draw_series(ax, col, groups, bands)
    for ax in axes[len(cols):]:
        ax.set_visible(False)
    if group:
        axes[0].legend(fontsize=8)
    overview.suptitle(f"{title} ({note})", fontsize=11)
    overview.savefig(folder / "figures/overview.png")
    written.append("figures/overview.png")
    return written


def _bands(series: pd.DataFrame, cols: list[str]) -> dict[str, tuple[np.ndarray, ...]]:
    """Per column: months, mean over replications and, with several replications, the 5th
    and 95th percentiles (None otherwise)."""
    months = np.sort(series["month"].unique())
    by_month = series.groupby("month")[cols]
    mean = by_month.mean().reindex(months)
    several = series["rep"].nunique() > 1
    lo = by_month.quantile(0.05).reindex(months) if several else None
    hi = by_month.quantile(0.95).reindex(months) if several else None
    return {c: (months, mean[c].to_numpy(), None if lo is None else lo[c].to_numpy(),
                None if hi is None else hi[c].to_numpy()) for c in cols}


def _draw_series(ax: Any, col: str, groups: list[Any], bands: list[dict]) -> None:
    """Mean over replications as a line, the 5th-95th percentile band, one per group."""
    for g, band in zip(groups, bands, strict=True):
        months, mean, lo, hi = band[col]
        (line,) = ax.plot(months, mean, lw=1.8, label=g)
        if lo is not None:
            ax.fill_between(months, lo, hi, alpha=0.25, lw=0, color=line.get_color())
    ax.set_title(FIGURE_SERIES[col], fontsize=10)
    ax.set_xlabel("month")
    ax.grid(alpha=0.3)


def comparison_figure(folder: Path, stats: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Mean and 95% CI of key outcomes, one bar per scenario: ``figures/compare.png``."""
    (folder / "figures").mkdir(exist_ok=True)
    names = list(stats)
    keys = [k for k in COMPARE_OUTCOMES if k in next(iter(stats.values()))]
    labels = {o.key: o.label_en for o in OUTCOMES}
    fig = new_figure(13, 8, layout=None)
    axes = fig.subplots(3, 4, squeeze=False).ravel()
    fig.subplots_adjust(left=0.05, right=0.98, bottom=0.12, top=0.92, wspace=0.28, hspace=0.75)
    xs = np.arange(len(names))
    for ax, key in zip(axes, keys, strict=False):
        means = [stats[n][key]["mean"] for n in names]
        lows = [stats[n][key]["ci95_low"] for n in names]
        highs = [stats[n][key]["ci95_high"] for n in names]
        ax.bar(xs, means, color=[f"C{i}" for i in range(len(names))], alpha=0.8)
        if all(v is not None for v in lows):
            err = np.array([[m - lo for m, lo in zip(means, lows, strict=True)],
                            [hi - m for m, hi in zip(means, highs, strict=True)]])
            ax.errorbar(xs, means, yerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
        ax.set_title(f"{labels[key]} ({stats[names[0]][key]['unit']})", fontsize=9)
        ax.set_xticks(xs, names, rotation=30, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    n = next(iter(stats.values()))[keys[0]]["n"]
    fig.suptitle(f"Scenario comparison: mean and 95% CI over {n} replications (common seeds)",
                 fontsize=11)
    fig.savefig(folder / "figures/compare.png")
    return "figures/compare.png"
