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

Significance: PRIM is run on two thirds of the points; restrictions whose quasi-p-value is
0.05 or more are dropped, and the box is reported only if its density on the held-out third
beats the held-out share of cases (one-sided binomial test at 5%). A box that fails is said
to have failed, its rules are not printed.

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

import math
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

#: Significance level of the quasi-p-values and of the held-out test.
ALPHA = 0.05


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


def _fr(value: float, spec: str = ".2g") -> str:
    """A number as French writes it: a decimal comma (0,35), a space before % (35 %)."""
    text = format(value, spec).replace(".", ",")
    return text[:-1] + "\u202f%" if text.endswith("%") else text


def _p(p: float) -> str:
    """``< 0.001`` or ``= 0.012``: a p-value as the report prints it."""
    return "< 0.001" if p < 0.001 else f"= {p:.2g}"


def rules(limits: dict[str, tuple[float, float]]) -> tuple[str, str]:
    """A box as one sentence in French and one in English."""
    fr, en = [], []
    for key, (lo, hi) in limits.items():
        name_fr, name_en, unit = labels(key)
        u = f" {unit}" if unit and unit not in ("", "x", "0-1") else ""
        ufr = f" {out.UNITS_FR.get(unit, unit)}" if u else ""
        full_lo, full_hi = FACTORS[key][:2]
        if lo > full_lo and hi < full_hi:
            fr.append(f"{name_fr} entre {_fr(lo)} et {_fr(hi)}{ufr}")
            en.append(f"{name_en} between {lo:.2g} and {hi:.2g}{u}")
        elif lo > full_lo:
            fr.append(f"{name_fr} d'au moins {_fr(lo)}{ufr}")
            en.append(f"{name_en} at least {lo:.2g}{u}")
        else:
            fr.append(f"{name_fr} d'au plus {_fr(hi)}{ufr}")
            en.append(f"{name_en} at most {hi:.2g}{u}")
    if not fr:
        return "aucune condition (toute la plage étudiée)", "no condition (the whole range studied)"
    return "Si " + ", et ".join(fr) + ".", "If " + ", and ".join(en) + "."


def in_box(x: pd.DataFrame, limits: dict[str, tuple[float, float]]) -> np.ndarray:
    """Which rows of ``x`` lie in the box (inclusive limits on the restricted factors)."""
    inside = np.ones(len(x), dtype=bool)
    for key, (lo, hi) in limits.items():
        v = x[key].to_numpy(float)
        inside &= (v >= lo) & (v <= hi)
    return inside


def find_box(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> dict[str, Any] | None:
    """PRIM's box, found on two thirds of the points and tested on the other third.

    On the training part PRIM peels; the box kept is the densest on the trajectory with
    coverage at least :data:`MIN_COVERAGE`. A restriction whose quasi-p-value (EMA
    Workbench's one-sided binomial test of the box against the box without that
    restriction, Bryant and Lempert 2010) is :data:`ALPHA` or more is dropped. The box then
    passes only if, on the held-out third, its density exceeds the held-out share of cases
    by a one-sided binomial test at :data:`ALPHA`. Returns the limits, the training and
    held-out coverage and density, each restriction's quasi-p-value, the test's p and
    ``passed``; None when there is no case of interest or every run is one."""
    import logging
    import warnings

    from scipy.stats import binomtest

    if y.sum() == 0 or y.all():
        return None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # "ipyparallel not installed": a runner the report does not use
        warnings.simplefilter("ignore", UserWarning)
        from ema_workbench.analysis import prim

    order = np.random.default_rng([seed, 17]).permutation(len(y))
    train, test = np.sort(order[: 2 * len(y) // 3]), np.sort(order[2 * len(y) // 3:])
    xt, yt = x.iloc[train].reset_index(drop=True), y[train]
    if yt.sum() == 0 or yt.all():
        return None
    with warnings.catch_warnings():  # pandas deprecates the 'inplace' that ema_workbench 3.0 uses
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        # as floats: ema_workbench 3.0 pastes half-way values into integer columns, which pandas 3 refuses
        p = prim.Prim(xt.astype(float), yt.astype(int), peel_alpha=0.1, mass_min=0.05)
        box = p.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    ok = traj[traj["coverage"] >= MIN_COVERAGE]
    i = int(ok["density"].idxmax()) if len(ok) else int(traj["density"].idxmax())
    lims, init = box.box_lims[i], p.box_init
    restricted = {k: (float(lims[k].iloc[0]), float(lims[k].iloc[1])) for k in x.columns
                  if float(lims[k].iloc[0]) != float(init[k].iloc[0]) or float(lims[k].iloc[1]) != float(init[k].iloc[1])}
    qp = {k: max(float(v) for v in box.p_values[i][k]) for k in restricted if k in box.p_values[i]}
    kept = {k: v for k, v in restricted.items() if qp.get(k, 1.0) < ALPHA}
    xh, yh = x.iloc[test].reset_index(drop=True), y[test]
    m_train, m_test = in_box(xt, kept), in_box(xh, kept)
    k_in, n_in = int(yh[m_test].sum()), int(m_test.sum())
    p_test = float(binomtest(k_in, n_in, float(yh.mean()), alternative="greater").pvalue) if n_in else 1.0
    return {"limits": kept, "dropped": {k: qp.get(k, float("nan")) for k in restricted if k not in kept},
            "quasi_p": {k: qp[k] for k in kept},
            "coverage": float(yt[m_train].sum() / yt.sum()), "density": float(yt[m_train].mean()) if m_train.any() else 0.0,
            "runs_in_box": int(m_train.sum()),
            "holdout_coverage": float(k_in / yh.sum()) if yh.sum() else 0.0,
            "holdout_density": k_in / n_in if n_in else 0.0, "holdout_runs_in_box": n_in,
            "holdout_share": float(yh.mean()), "holdout_p": p_test,
            "passed": bool(kept) and p_test < ALPHA, "train_points": len(train), "holdout_points": len(test),
            "trajectory": traj[["coverage", "density", "mass", "res_dim"]], "peeled": i}


def discovery(folder: Path, cfg: sec.Config, runs: sec.Runs) -> sec.Section:
    from experiments.execution.executor import run_model
    from experiments.io.figures import new_figure

    x = sample(cfg.prim_points, cfg.seed)
    base = sec.base_params("baseline", cfg)
    seeds = sec.seeds_of(cfg, cfg.prim_points)
    tasks = [{"params": sec.with_seed(base, seeds[k], **row), "series": False}
             for k, row in enumerate(x.to_dict("records"))]  # records: Python ints stay ints
    outs = runs(run_model, tasks, "discovery")
    gap = np.array([o["summary"]["equity_gap"] for o in outs])
    survival = np.array([o["summary"]["alliance_survival"] for o in outs])
    median = float(np.nanmedian(survival)) if np.isfinite(survival).any() else math.nan
    # NaN (undefined: no alliance ended, or no positive mean impact) compares False: never a case
    y = (gap < 0) & (survival >= median) & (survival > 0)
    s = sec.Section("discovery", "Découverte de scénarios / Scenario discovery")
    s.text = [f"{len(x)} Latin-hypercube points over {len(FACTORS)} factors, one seed each; case of interest: "
              "the most fragile territories reduced a larger share of their need than the least fragile "
              f"(equity gap < 0) and alliance survival at least the median ({median:.3g}) and above 0. "
              f"A run where either is undefined (no alliance ended: {int(np.isnan(survival).sum())} runs; "
              f"no positive mean impact: {int(np.isnan(gap).sum())}) is never a case; this leans the box away "
              "from conditions where nothing ends within the horizon (long projects, short runs). "
              f"Cases: {int(y.sum())} of {len(y)}. PRIM (EMA Workbench), box: densest with coverage >= "
              f"{MIN_COVERAGE}."]
    box = find_box(x, y, cfg.seed)
    if box is None:
        s.text.append("No box: the sample has no case of interest, or only such cases.")
        return s
    s.text.append(
        f"Significance: PRIM on {box['train_points']} points, tested on the other {box['holdout_points']}; "
        f"restrictions with a quasi-p-value >= {ALPHA} dropped"
        + (f" ({', '.join(f'{labels(k)[1]} {v:.2g}' for k, v in box['dropped'].items())})" if box["dropped"] else " (none)")
        + f". Held out: {box['holdout_runs_in_box']} runs in the box, density {box['holdout_density']:.2f} against "
        f"a share of cases {box['holdout_share']:.2f}, one-sided binomial p {_p(box['holdout_p'])}.")
    if not box["passed"]:
        s.text.append("The box did not pass (no significant restriction, or not better than chance on the "
                      "held-out points): no rule is reported.")
    else:
        fr, en = rules(box["limits"])
        dens = box["holdout_density"]
        fr = (fr.rstrip(".") + f", alors dans {_fr(dens, '.0%')} des simulations (contre {_fr(box['holdout_share'], '.0%')} "
              "en tout) les territoires les plus fragiles ont réduit une plus grande part de leur besoin que les "
              "moins fragiles et les alliances ont duré au moins autant que la médiane.")
        en = (en.rstrip(".") + f", then in {dens:.0%} of runs (against {box['holdout_share']:.0%} overall) the "
              "most fragile territories reduced a larger share of their need than the least fragile and "
              "alliances lasted at least as long as the median.")
        lift = box["holdout_density"] / box["holdout_share"]
        s.text.append(f"On the held-out points the box's density is {lift:.2f} times the share of cases"
                      + (" (below 1.5: read the rule as weak)." if lift < 1.5 else "."))
        s.text += [f"FR : {fr} (couverture {_fr(box['coverage'], '.2f')}, densité {_fr(box['density'], '.2f')} sur "
                   f"l'apprentissage ; {_fr(box['holdout_coverage'], '.2f')} et {_fr(box['holdout_density'], '.2f')} sur les "
                   "points réservés)",
                   f"EN: {en} (coverage {box['coverage']:.2f}, density {box['density']:.2f} on the training "
                   f"points; {box['holdout_coverage']:.2f} and {box['holdout_density']:.2f} held out)"]
        table = pd.DataFrame([{"factor": k, "label_fr": labels(k)[0], "label_en": labels(k)[1],
                               "unit": labels(k)[2], "box_low": lo, "box_high": hi, "quasi_p": box["quasi_p"][k],
                               "range_low": FACTORS[k][0], "range_high": FACTORS[k][1]}
                              for k, (lo, hi) in box["limits"].items()])
        s.tables["discovery_box"] = (table, f"PRIM box: coverage {box['coverage']:.2f}, density "
                                     f"{box['density']:.2f} (held out: {box['holdout_coverage']:.2f}, "
                                     f"{box['holdout_density']:.2f}; p {_p(box['holdout_p'])})")
    import matplotlib

    traj = box["trajectory"]
    fig = new_figure(5.5, 4)
    ax = fig.add_subplot()
    dims = traj["res_dim"].astype(int)
    cmap = matplotlib.colormaps["viridis"].resampled(int(dims.max()) + 1)
    sc = ax.scatter(traj["coverage"], traj["density"], c=dims, cmap=cmap, vmin=-0.5, vmax=dims.max() + 0.5, s=18)
    chosen = traj.loc[box["peeled"]]
    ax.scatter([chosen["coverage"]], [chosen["density"]], s=80, facecolors="none", edgecolors="#c00")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Couverture / Coverage (share of cases)")
    ax.set_ylabel("Densité / Density (share of the box)")
    fig.colorbar(sc, ax=ax, label="Facteurs restreints / Restricted factors (count)",
                 ticks=range(int(dims.max()) + 1))
    ax.grid(alpha=0.3)
    out.save_figure(fig, folder, "discovery_tradeoff")
    s.figures["discovery_tradeoff"] = ("PRIM : compromis couverture-densité / coverage-density trade-off "
                                       "on the training points (circled: the box tested)")
    return s
