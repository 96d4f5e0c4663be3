"""Figures of a sensitivity experiment, drawn from its long table (no model call).

``indices.png``: per outcome, the tested index of every factor (regression SRC, Sobol ST,
Morris mu) with its interval; detected effects filled, others hollow, the dummy in red; a
design crossed over structural cells shows each factor's estimates in every cell.
Drawn with the run and compare figures' helpers (:mod:`experiments.io.figures`): factors and
outcomes by their French and English names, the index's meaning and unit on the x axis, an
axis that always includes zero.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.io.figures import factor_label, new_figure, outcome_label
from experiments.sensitivity.spec import DUMMY, KEY_INDEX, Spec

#: What each tested index is, French and English, as written under its axis.
INDEX_TEXT = {
    "SRC": "coefficient de régression standardisé / standardised regression coefficient (SRC, sd/sd)",
    "ST": "indice de Sobol total / Sobol total-order index (ST, part de la variance / share of variance)",
    "mu": "effet élémentaire moyen de Morris / Morris mean elementary effect (mu, unité du résultat / outcome's unit)",
}


def draw(folder: Path, spec: Spec, ind: pd.DataFrame) -> list[str]:
    """Draw every figure into ``folder``; return the file names."""
    indices_figure(spec, ind).savefig(folder / "indices.png")
    return ["figures/indices.png"]


def indices_figure(spec: Spec, ind: pd.DataFrame):
    """Per outcome, the tested index of every factor with its interval."""
    key = KEY_INDEX[spec.method]
    outs = spec.outcomes
    n_f = len(spec.all_factors)
    fig = new_figure(7.5 * len(outs), max(3.0, 1.4 + 0.22 * n_f))
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
        lo, hi = ax.get_xlim()
        ax.set_xlim(min(lo, 0.0), max(hi, 0.0))
        ax.set_yticks(range(len(order)), [factor_label(f) for f in order], fontsize=6)
        ax.set_title(outcome_label(o, sep="\n"), fontsize=8)
        ax.set_xlabel(INDEX_TEXT[key].replace(" / ", "\n", 1), fontsize=7)
    fig.suptitle(f"{spec.name}: {key}, {spec.statistics['confidence']:.0%} intervals / intervalles "
                 "(plein : détecté après correction multiple / filled: detected after multiplicity "
                 "correction; rouge / red: dummy)", fontsize=8)
    return fig
