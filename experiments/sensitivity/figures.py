"""Figures of a sensitivity experiment, drawn from its long tables (no model call).

* ``indices.png``: per outcome, the key index (Morris mu*, Sobol ST, with S1) of every factor
  with its bootstrap interval; the dummy's upper bound is drawn as the noise floor.
* ``convergence.png``: per outcome, indices (top) and interval widths (bottom) against the
  number of trajectories or base samples.
* ``sobol_s2.png``: per outcome, second-order Sobol indices between factors (Sobol only).

matplotlib's object API on an Agg canvas: no pyplot, no global backend state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.io.figures import new_figure as _figure
from experiments.sensitivity.spec import DUMMY, Spec


def draw(folder: Path, spec: Spec, ind: pd.DataFrame, conv: pd.DataFrame) -> list[str]:
    """Draw every figure into ``folder``; return the file names."""
    files = [indices_figure(folder, spec, ind), convergence_figure(folder, spec, conv)]
    if spec.method == "sobol" and (ind["index"] == "S2").any():
        files.append(s2_figure(folder, spec, ind))
    return files


def indices_figure(folder: Path, spec: Spec, ind: pd.DataFrame) -> str:
    key = "mu_star" if spec.method == "morris" else "ST"
    outs = spec.outcomes
    n_f = len(spec.all_factors)
    fig = _figure(4.2 * len(outs), max(2.5, 0.9 + 0.22 * n_f))
    axes = fig.subplots(1, len(outs), squeeze=False)[0]
    for ax, o in zip(axes, outs, strict=True):
        sub = ind[(ind["outcome"] == o) & (ind["part"] == "factors") & (ind["factor2"] == "")]
        main = sub[sub["index"] == key].sort_values("estimate")
        yy = np.arange(len(main))
        err = np.vstack([main["estimate"] - main["low"], main["high"] - main["estimate"]]).clip(min=0)
        colors = ["C3" if f == DUMMY else "C0" for f in main["factor"]]
        ax.errorbar(main["estimate"], yy, xerr=err, fmt="none", ecolor=colors)
        ax.scatter(main["estimate"], yy, s=9, c=colors, label=f"{key} (dummy in red)", zorder=3)
        if key == "ST":
            s1 = sub[sub["index"] == "S1"].set_index("factor").loc[main["factor"]]
            e1 = np.vstack([s1["estimate"] - s1["low"], s1["high"] - s1["estimate"]]).clip(min=0)
            ax.errorbar(s1["estimate"], yy + 0.25, xerr=e1, fmt="s", ms=3, color="C1", label="S1")
        floor = main["noise_floor"].dropna()
        if len(floor):
            ax.axvline(float(floor.iloc[0]), color="grey", ls="--", lw=1, label="noise floor (dummy)")
        ax.set_yticks(yy, main["factor"], fontsize=7)
        ax.set_title(o, fontsize=9)
        ax.set_xlabel(key)
        ax.legend(fontsize=6, loc="lower right")
    fig.suptitle(f"{spec.name}: {spec.method} indices with {spec.bootstrap['confidence']:.0%} bootstrap intervals",
                 fontsize=10)
    fig.savefig(folder / "indices.png")
    return "figures/indices.png"


def convergence_figure(folder: Path, spec: Spec, conv: pd.DataFrame, top: int = 5) -> str:
    outs = spec.outcomes
    fig = _figure(3.6 * len(outs), 5.0)
    axes = fig.subplots(2, len(outs), squeeze=False, sharex="col")
    xlabel = "trajectories" if spec.method == "morris" else "base samples N"
    for c, o in enumerate(outs):
        sub = conv[(conv["outcome"] == o) & (conv["part"] == "factors")]
        last = sub[sub["size"] == sub["size"].max()].sort_values("estimate", ascending=False)
        names = list(last["factor"].head(top)) + ([DUMMY] if DUMMY in set(last["factor"]) else [])
        for i, name in enumerate(dict.fromkeys(names)):
            f = sub[sub["factor"] == name].sort_values("size")
            color = "grey" if name == DUMMY else f"C{i}"
            axes[0, c].plot(f["size"], f["estimate"], "o-", ms=3, color=color, label=name)
            axes[0, c].fill_between(f["size"], f["low"], f["high"], color=color, alpha=0.15)
            axes[1, c].plot(f["size"], f["width"], "o-", ms=3, color=color)
        axes[0, c].set_title(o, fontsize=9)
        axes[0, c].set_ylabel(sub["index"].iloc[0] if len(sub) else "")
        axes[1, c].set_ylabel("interval width")
        axes[1, c].set_xlabel(xlabel)
        axes[0, c].legend(fontsize=6)
    fig.suptitle(f"{spec.name}: convergence of the indices", fontsize=10)
    fig.savefig(folder / "convergence.png")
    return "figures/convergence.png"


def s2_figure(folder: Path, spec: Spec, ind: pd.DataFrame) -> str:
    outs = spec.outcomes
    names = [f.name for f in spec.all_factors]
    fig = _figure(4.4 * len(outs), 4.2)
    axes = fig.subplots(1, len(outs), squeeze=False)[0]
    for ax, o in zip(axes, outs, strict=True):
        s2 = ind[(ind["outcome"] == o) & (ind["index"] == "S2")]
        m = np.full((len(names), len(names)), np.nan)
        pos = {n: i for i, n in enumerate(names)}
        for r in s2.itertuples():
            m[pos[r.factor], pos[r.factor2]] = m[pos[r.factor2], pos[r.factor]] = r.estimate
        lim = max(np.nanmax(np.abs(m)) if np.isfinite(m).any() else 0.0, 1e-6)
        im = ax.imshow(m, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=5)
        ax.set_yticks(range(len(names)), names, fontsize=5)
        ax.set_title(f"{o}: S2", fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.7)
    fig.savefig(folder / "sobol_s2.png")
    return "figures/sobol_s2.png"
