"""Figures of a sensitivity experiment, drawn from its long table (no model call).

``indices.png``: per outcome, the tested index of every factor (regression SRC, Sobol ST,
Morris mu) with its interval; detected effects filled, others hollow, the dummy in red; a
design crossed over structural cells shows each factor's estimates in every cell.
matplotlib's object API on an Agg canvas: no pyplot, no global backend state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.io.figures import new_figure
from experiments.sensitivity.spec import DUMMY, Spec


def draw(folder: Path, spec: Spec, ind: pd.DataFrame) -> list[str]:
    """Draw every figure into ``folder``; return the file names."""
    from experiments.sensitivity.report import KEY_INDEX

    key = KEY_INDEX[spec.method]
    outs = spec.outcomes
    n_f = len(spec.all_factors)
    fig = new_figure(4.2 * len(outs), max(2.5, 0.9 + 0.22 * n_f))
    axes = fig.subplots(1, len(outs), squeeze=False)[0]
    for ax, o in zip(axes, outs, strict=True):
        sub = ind[(ind["outcome"] == o) & (ind["index"] == key) & (ind["factor2"] == "")]
        order = sub.groupby("factor", sort=False)["estimate"].median().sort_values().index
        pos = {f: i for i, f in enumerate(order)}
        parts = list(dict.fromkeys(sub["part"]))
        for k, (_, g) in enumerate(sub.groupby("part", sort=False)):
            yy = np.array([pos[f] for f in g["factor"]]) + (k - (len(parts) - 1) / 2) * 0.6 / max(len(parts), 1)
            err = np.vstack([g["estimate"] - g["ci_low"], g["ci_high"] - g["estimate"]]).clip(min=0)
            colors = ["C3" if f == DUMMY else "C0" for f in g["factor"]]
            ax.errorbar(g["estimate"], yy, xerr=err, fmt="none", ecolor=colors, lw=0.8)
            hit = g["detected"].fillna(False).astype(bool).to_numpy()
            ax.scatter(g["estimate"], yy, s=10, zorder=3, marker="o", edgecolors=colors,
                       facecolors=[c if h else "white" for c, h in zip(colors, hit, strict=True)])
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(range(len(order)), order, fontsize=6)
        ax.set_title(o, fontsize=9)
        ax.set_xlabel(key)
    fig.suptitle(f"{spec.name}: {key} with {spec.statistics['confidence']:.0%} intervals "
                 "(filled = detected after multiplicity correction)", fontsize=9)
    fig.savefig(folder / "indices.png")
    return ["figures/indices.png"]
