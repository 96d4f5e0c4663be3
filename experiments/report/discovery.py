"""Scenario discovery: the boxes of conditions under which fragile territories gain and
alliances last, found by PRIM (Friedman and Fisher 1999) as implemented in the EMA
Workbench (Kwakkel 2017), written as plain rules in French and English.

A Latin hypercube over structural factors and a few Charter levers is run once per point
(each point its own seed). A run is a case of interest when the most fragile territories
reduced a larger share of their initial need than the least fragile (``equity_gap < 0``)
and its alliance survival is at least the sample's median. PRIM peels the box; the box
reported is the densest on the peeling trajectory whose coverage is at least 0.5 (the
usual compromise, Bryant and Lempert 2010). Coverage: the share of all cases of interest
that fall in the box; density: the share of the box's runs that are cases of interest.

References
----------
Friedman, J. H., Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics and
Computing 9, 123-143. doi:10.1023/A:1008894516817
Bryant, B. P., Lempert, R. J. (2010). Thinking inside the box. Technological Forecasting and
Social Change 77(1), 34-49. doi:10.1016/j.techfore.2009.08.002
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental Modelling & Software
96, 239-250. doi:10.1016/j.envsoft.2017.06.054
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import outputs as out
from . import sections as sec

#: Factors sampled: dotted key -> (low, high, integer?).
FACTORS: dict[str, tuple[float, float, bool]] = {
    "time.electoral_cycle_months": (24, 120, True),
    "time.project_duration_months": (12, 60, True),
    "funding.application_cost": (0.1, 2.0, False),
    "funding.budget_scale": (0.5, 2.0, False),
    "governance.macro_steering": (0.0, 1.0, False),
    "levers.dialogue": (0.0, 1.0, False),
    "levers.mutual_trust": (0.0, 1.0, False),
    "levers.sharing": (0.0, 1.0, False),
}

MIN_COVERAGE = 0.5


def sample(n: int, seed: int) -> pd.DataFrame:
    """``n`` Latin-hypercube points over :data:`FACTORS` (integers rounded)."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(FACTORS), seed=np.random.default_rng(seed)).random(n)
    cols = {}
    for k, (key, (lo, hi, whole)) in enumerate(FACTORS.items()):
        v = lo + u[:, k] * (hi - lo)
        cols[key] = np.rint(v).astype(np.int64) if whole else v
    return pd.DataFrame(cols)


def labels(key: str) -> tuple[str, str, str]:
    """French label, English label and unit of a sampled factor."""
    if key.startswith("levers."):
        from simulation import LEVERS

        lv = next(lv for lv in LEVERS if lv.id == key.split(".", 1)[1])
        return f"levier « {lv.label_fr} »", f"lever '{lv.label_en}'", "0-1"
    if key in out.PARAMETERS:
        return out.PARAMETERS[key]
    return key, key, ""


def rules(limits: dict[str, tuple[float, float]]) -> tuple[str, str]:
    """A box as one sentence in French and one in English."""
    fr, en = [], []
    for key, (lo, hi) in limits.items():
        name_fr, name_en, unit = labels(key)
        u = f" {unit}" if unit and unit not in ("", "x", "0-1") else ""
        ufr = f" {out.UNITS_FR.get(unit, unit)}" if u else ""
        full_lo, full_hi = FACTORS[key][:2]
        if lo > full_lo and hi < full_hi:
            fr.append(f"{name_fr} entre {lo:.3g} et {hi:.3g}{ufr}")
            en.append(f"{name_en} between {lo:.3g} and {hi:.3g}{u}")
        elif lo > full_lo:
            fr.append(f"{name_fr} d'au moins {lo:.3g}{ufr}")
            en.append(f"{name_en} at least {lo:.3g}{u}")
        else:
            fr.append(f"{name_fr} d'au plus {hi:.3g}{ufr}")
            en.append(f"{name_en} at most {hi:.3g}{u}")
    if not fr:
        return "aucune condition (toute la plage étudiée)", "no condition (the whole range studied)"
    return "Si " + ", et ".join(fr) + ".", "If " + ", and ".join(en) + "."


def find_box(x: pd.DataFrame, y: np.ndarray) -> dict[str, Any] | None:
    """PRIM's box: its limits on the restricted factors, coverage, density and the number
    of runs in it; None when there is no case of interest or every run is one."""
    import logging

    if y.sum() == 0 or y.all():
        return None
    import warnings

    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # "ipyparallel not installed": a runner the report does not use
        warnings.simplefilter("ignore", UserWarning)
        from ema_workbench.analysis import prim

    with warnings.catch_warnings():  # pandas deprecates the 'inplace' that ema_workbench 3.0 uses
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        # as floats: ema_workbench 3.0 pastes half-way values into integer columns, which pandas 3 refuses
        p = prim.Prim(x.astype(float), y.astype(int), peel_alpha=0.1, mass_min=0.05)
        box = p.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    ok = traj[traj["coverage"] >= MIN_COVERAGE]
    i = int(ok["density"].idxmax()) if len(ok) else int(traj["density"].idxmax())
    lims = box.box_lims[i]
    init = p.box_init
    restricted = {k: (float(lims[k].iloc[0]), float(lims[k].iloc[1])) for k in x.columns
                  if float(lims[k].iloc[0]) != float(init[k].iloc[0]) or float(lims[k].iloc[1]) != float(init[k].iloc[1])}
    return {"limits": restricted, "coverage": float(traj.loc[i, "coverage"]),
            "density": float(traj.loc[i, "density"]), "runs_in_box": int(traj.loc[i, "n"]),
            "trajectory": traj[["coverage", "density", "mass", "res_dim"]]}


def discovery(folder: Path, cfg: sec.Config, runs: sec.Runs) -> sec.Section:
    from experiments.execution.executor import run_model
    from experiments.io.figures import new_figure

    x = sample(cfg.prim_points, cfg.seed)
    base = sec.base_params("baseline", cfg)
    tasks = [{"params": sec.with_seed(base, cfg.seed + k, **row), "series": False}
             for k, row in enumerate(x.to_dict("records"))]  # records: Python ints stay ints
    outs = runs(run_model, tasks, "discovery")
    gap = np.array([o["summary"]["equity_gap"] for o in outs])
    survival = np.array([o["summary"]["alliance_survival"] for o in outs])
    y = (gap < 0) & (survival >= np.median(survival))
    s = sec.Section("discovery", "Découverte de scénarios / Scenario discovery")
    s.text = [f"{len(x)} Latin-hypercube points over {len(FACTORS)} factors, one seed each; case of interest: "
              "the most fragile territories reduced a larger share of their need than the least fragile "
              f"(equity gap < 0) and alliance survival at least the median ({np.median(survival):.3g}). "
              f"Cases: {int(y.sum())} of {len(y)}. PRIM (EMA Workbench), box: densest with coverage >= "
              f"{MIN_COVERAGE}."]
    box = find_box(x, y)
    if box is None:
        s.text.append("No box: the sample has no case of interest, or only such cases.")
        return s
    fr, en = rules(box["limits"])
    lift = box["density"] / y.mean()
    s.text.append(f"Share of cases in the whole sample: {y.mean():.2f}; the box's density is {lift:.2f} times that"
                  + (" (below 1.5: no clearly better region was found; read the rule as weak)." if lift < 1.5 else "."))
    s.text += [f"FR : {fr} (couverture {box['coverage']:.2f}, densité {box['density']:.2f}, "
               f"{box['runs_in_box']} simulations dans la boîte)",
               f"EN: {en} (coverage {box['coverage']:.2f}, density {box['density']:.2f}, "
               f"{box['runs_in_box']} runs in the box)"]
    table = pd.DataFrame([{"factor": k, "label_fr": labels(k)[0], "label_en": labels(k)[1], "unit": labels(k)[2],
                           "box_low": lo, "box_high": hi, "range_low": FACTORS[k][0], "range_high": FACTORS[k][1]}
                          for k, (lo, hi) in box["limits"].items()])
    s.tables["discovery_box"] = (table, f"PRIM box: coverage {box['coverage']:.2f}, density {box['density']:.2f}")
    traj = box["trajectory"]
    fig = new_figure(5.5, 4)
    ax = fig.add_subplot()
    sc = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=18)
    ax.scatter([box["coverage"]], [box["density"]], s=80, facecolors="none", edgecolors="#c00")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Couverture / Coverage (share of cases)")
    ax.set_ylabel("Densité / Density (share of the box)")
    fig.colorbar(sc, ax=ax, label="Facteurs restreints / Restricted factors (count)")
    ax.grid(alpha=0.3)
    out.save_figure(fig, folder, "discovery_tradeoff")
    s.figures["discovery_tradeoff"] = ("PRIM : compromis couverture-densité / coverage-density trade-off "
                                       "(circled: the box reported)")
    return s
