"""Results of a sensitivity experiment: tested indices, the answer in plain words, figures.

Writes into the experiment's folder: ``design.parquet`` (every run: design coordinates,
factor values, seed, outcomes), ``pilot.parquet``, ``indices.csv`` (long format: the columns
``outcome, factor, index, estimate, ci_low, ci_high, p_adjusted, detected`` first, then
``part, group, se, df, p_value, mde, noise_part, rank, rank_low, rank_high, factor2``),
``fit.csv`` (regression: R^2, its noise ceiling, emulator Q^2 per outcome and cell),
``rankings.csv`` (regression with ``by``: each factor's rank across the structural cells),
``ranking.md`` (the answer, in English and French), ``figures/indices.png``,
``provenance.json``, and under ``--posterior`` ``posterior_dependence.csv``
(:func:`posterior_dependence`).
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.sensitivity import analysis
from experiments.sensitivity.spec import DUMMY, KEY_INDEX, REST, Spec

FIRST = ["outcome", "factor", "index", "estimate", "ci_low", "ci_high", "p_adjusted", "detected"]
MORE = ["part", "group", "se", "df", "p_value", "mde", "noise_part", "rank", "rank_low", "rank_high", "factor2"]


def _matrix(outcomes: pd.DataFrame, table: pd.DataFrame, part: str, outcome: str, reps: int) -> np.ndarray:
    rows = (table["part"] == part).to_numpy()
    return outcomes.loc[rows, outcome].to_numpy(dtype=float).reshape(-1, reps)


def _rows(outcome: str, part: str, index: str, names: list[str], groups: dict, cols: dict) -> list[dict]:
    out = []
    for i, name in enumerate(names):
        row = {"outcome": outcome, "part": part, "factor": name, "group": groups.get(name, name), "index": index}
        row.update({k: (float(v[i]) if np.ndim(v) else float(v)) for k, v in cols.items()})
        out.append(row)
    return out


def analyse(spec: Spec, parts: dict, table: pd.DataFrame, outcomes: pd.DataFrame, reps: int,
            noise: dict[str, dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long table of indices (every tested one adjusted for multiplicity) and the fit table.

    Linear algebra runs on one thread: thousands of small solves gain nothing from threads,
    and on a machine busy with the runs' processes a threaded BLAS is many times slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _analyse(spec, parts, table, outcomes, reps, noise)


def _analyse(spec: Spec, parts: dict, table: pd.DataFrame, outcomes: pd.DataFrame, reps: int,
             noise: dict[str, dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    st = spec.statistics
    conf, b, seed = st["confidence"], st["resamples"], spec.design_seed
    groups = {f.name: f.group for f in spec.all_factors}
    rows: list[dict] = []
    fits: list[dict] = []
    for o in spec.outcomes:
        undefined = int(outcomes[o].isna().sum())  # NaN: nothing to average in that run (simulation/outcomes.py)
        if undefined and spec.method != "regression":  # Sobol and Morris designs need every run
            print(f"sensitivity: outcome {o!r} is undefined in {undefined} of {len(outcomes)} runs; "
                  "not analysed (a longer horizon gives it something to average)", file=sys.stderr)
            fits.append({"outcome": o, "part": "", "points": len(outcomes), "undefined": undefined})
            continue
        if undefined:
            print(f"sensitivity: outcome {o!r} is undefined in {undefined} of {len(outcomes)} runs; "
                  "regression on the points where it is defined in every replication", file=sys.stderr)
        if spec.method == "sobol":
            rows += _sobol(spec, parts, table, outcomes, reps, o, groups)
            continue
        for part, (prob, u) in parts.items():
            y = _matrix(outcomes, table, part, o, reps)
            defined = ~np.isnan(y).any(axis=1)  # regression only: points are independent
            y, u = y[defined], u[defined]
            names = prob["names"]
            if spec.method == "morris":
                res = analysis.morris(u, y.mean(axis=1), len(names), confidence=conf, resamples=b, seed=seed)
                for k, cols in res.items():
                    rows += _rows(o, part, k, names, groups, cols)
                continue
            if reps >= 2:
                s2 = analysis.noise_variance(y)[0] / reps
            else:  # the pilot's points span every cell: its noise is not a cell's
                s2 = float("nan") if len(parts) > 1 else noise[o]["seed_var"]
            fs = {f.name: f for f in spec.design_factors}
            kinds = [(fs[n].kind, len(fs[n].levels)) for n in names]
            res = analysis.regression(kinds, u, y.mean(axis=1), noise_var=s2, groups=[groups[n] for n in names],
                                      confidence=conf, resamples=b, seed=seed)
            rows += _rows(o, part, "SRC", names, groups, {**res["effects"], "df": res["df"]})
            for g, (v, lo, hi) in res["shares"].items():
                rows.append({"outcome": o, "part": part, "factor": g, "group": g, "index": "group_share",
                             "estimate": v, "ci_low": lo, "ci_high": hi})
            var_y = float(np.var(y.mean(axis=1), ddof=1))
            lo_hi = ((1 - noise[o].get("seed_var_high", np.nan) / var_y, 1 - noise[o].get("seed_var_low", np.nan) / var_y)
                     if reps == 1 and len(parts) == 1 else (np.nan, np.nan))
            fit = {"outcome": o, "part": part, "points": len(y), "undefined": int((~defined).sum()),
                   "r2": res["r2"], "ceiling": res["ceiling"],
                   "ceiling_low": lo_hi[0], "ceiling_high": lo_hi[1],
                   "r2_share_of_ceiling": res["r2"] / res["ceiling"] if res["ceiling"] > 0 else float("nan"),
                   "q2": float("nan")}
            below = spec.regression["emulator_below"]
            if below > 0 and fit["r2_share_of_ceiling"] < below:
                em = analysis.emulator(u, y.mean(axis=1), s2, points=spec.regression["emulator_points"],
                                       seed=seed, names=names)
                fit.update(q2=em["q2"], emulator_train=em["train"], emulator_test=em["test"], kernel=em["kernel"])
                for k in ("S1", "ST"):
                    rows += _rows(o, part, f"{k}_emulator", names, groups,
                                  {"estimate": em[k], "ci_low": em[k] - em[f"{k}_conf"],
                                   "ci_high": em[k] + em[f"{k}_conf"]})
            fits.append(fit)
    ind = pd.DataFrame(rows)
    for c in FIRST + MORE:
        if c not in ind:
            ind[c] = np.nan
    ind["factor2"] = ind["factor2"].astype(object).fillna("")
    tested = ind["p_value"].notna()
    ind["p_adjusted"] = analysis.adjust(ind["p_value"].to_numpy(), st["correction"])
    alpha = 1 - conf
    ind["detected"] = pd.array([bool(p < alpha) if t else pd.NA for p, t in
                                zip(ind["p_adjusted"], tested, strict=True)], dtype="boolean")
    m = int(tested.sum())
    ind.loc[tested, "mde"] = [float(analysis.detectable(se, df, m, alpha, st["power"]))
                              for se, df in zip(ind.loc[tested, "se"], ind.loc[tested, "df"].fillna(1e6), strict=True)]
    return ind[FIRST + MORE], pd.DataFrame(fits)


def _sobol(spec: Spec, parts: dict, table: pd.DataFrame, outcomes: pd.DataFrame, reps: int, o: str,
           groups: dict) -> list[dict]:
    prob = next(iter(parts.values()))[0]
    names = list(dict.fromkeys(prob["groups"])) if prob.get("groups") else list(prob["names"])
    d, second = len(names), spec.sobol["second_order"]
    dummy = names.index(DUMMY) if DUMMY in names else None
    per = [analysis.sobol_scramble(_matrix(outcomes, table, part, o, reps), d, second, dummy) for part in parts]
    res = analysis.across_scrambles(per, second, spec.statistics["confidence"], seed=spec.design_seed)
    noise = res["noise_part"]
    groups = {**groups, REST: REST}
    if dummy is not None and reps == 1:  # the dummy measured the noise: zero by construction, not a test
        for k in ("ST", "S1"):
            res[k]["p_value"] = res[k]["p_value"].astype(float)
            res[k]["p_value"][dummy] = np.nan
    rows = []
    for k in ("ST", "S1"):
        rows += _rows(o, "scrambles", k, names, groups, {**res[k], "noise_part": noise["estimate"][0]})
    rows += _rows(o, "scrambles", "noise_part", ["(seed noise)"], {}, {k: v for k, v in noise.items() if k != "p_value"})
    if second:
        j, kk = np.triu_indices(d, 1)
        for r in _rows(o, "scrambles", "S2", [names[i] for i in j], groups, res["S2"]):
            rows.append(r)
        for r, i in zip(rows[-len(j):], kk, strict=True):
            r["factor2"] = names[i]
    return rows


def cross_cells(spec: Spec, ind: pd.DataFrame) -> pd.DataFrame:
    """Each factor's rank across the cells, per family of cells ("by": the crossed levels of
    the ``by`` factors; "draws": the drawn values of the ``draws`` factors; "all": both): median,
    best and worst rank, the union of the cells' rank intervals, the cells where detected, and
    whether its effect differs between cells: Cochran's Q on the cells' SRC and their standard
    errors (cells are independent runs), adjusted over factors, outcomes and families, with
    the between-cell sd of the SRC net of sampling error (DerSimonian-Laird tau). "Detected in
    k of n cells" alone is no evidence of a difference: a constant effect near the detectable
    size is detected in some cells only."""
    from experiments.sensitivity.runs import family

    key = KEY_INDEX[spec.method]
    sub = ind[(ind["index"] == key) & (ind["factor2"] == "")].copy()
    sub["family"] = sub["part"].map(family)
    fams = list(dict.fromkeys(sub["family"]))
    out = []
    for fam in fams + (["all"] if len(fams) > 1 else []):
        part = sub if fam == "all" else sub[sub["family"] == fam]
        for (o, f), g in part.groupby(["outcome", "factor"], sort=False):
            q, q_p, tau = analysis.heterogeneity(g["estimate"].to_numpy(float), g["se"].to_numpy(float))
            out.append({"family": fam, "outcome": o, "factor": f, "group": g["group"].iloc[0], "cells": len(g),
                        "q": q, "q_p": q_p, "tau": tau,
                        "rank_median": float(g["rank"].median()), "rank_best": int(g["rank"].min()),
                        "rank_worst": int(g["rank"].max()), "rank_low": int(g["rank_low"].min()),
                        "rank_high": int(g["rank_high"].max()),
                        "detected_cells": int(g["detected"].fillna(False).sum()),
                        "effect_min": float(g["estimate"].min()), "effect_max": float(g["estimate"].max()),
                        "mde_max": float(g["mde"].max())})
    acr = pd.DataFrame(out)
    acr["q_p_adjusted"] = analysis.adjust(acr["q_p"].to_numpy(float), spec.statistics["correction"])
    acr["heterogeneous"] = acr["q_p_adjusted"] < 1 - spec.statistics["confidence"]
    return acr.sort_values(["family", "outcome", "rank_median"], kind="stable")


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def design_frame(spec: Spec, table: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Every run with its unit coordinates, its factor values (as the model received them)
    and its outcomes, in design order."""
    df = table.copy()
    for f in spec.factors:
        col = f"u_{f.name}"
        if col in df:
            df[f.name] = [None if pd.isna(u) else f.value(u) for u in df[col]]
            if f.kind == "categorical":
                df[f.name] = df[f.name].astype(str)
    out = outcomes.drop(columns="run")
    return pd.concat([df.reset_index(drop=True), out.reset_index(drop=True)], axis=1)


def write_all(folder: Path, *, spec: Spec, parts: dict, table: pd.DataFrame, outcomes: pd.DataFrame,
              reps: int, pilot: pd.DataFrame, pilot_stats: dict, base: dict | None, wall_seconds: float,
              workers: int | None, scheduler: str | None, notes: list[tuple[str, str]] | None = None) -> None:
    from experiments.sensitivity import figures as sens_figures

    design_frame(spec, table, outcomes).to_parquet(folder / "design.parquet", index=False)
    pilot.to_parquet(folder / "pilot.parquet", index=False)
    ind, fit = analyse(spec, parts, table, outcomes, reps, pilot_stats)
    ind.to_csv(folder / "indices.csv", index=False)
    across = None
    if len(fit):
        fit.to_csv(folder / "fit.csv", index=False)
    if len(parts) > 1 and spec.method == "regression":
        across = cross_cells(spec, ind)
        across.to_csv(folder / "rankings.csv", index=False)
    figs = folder / "figures"
    figs.mkdir(exist_ok=True)
    files = sens_figures.draw(figs, spec, ind)
    runs = len(table) + len(pilot)
    timing = {"runs": runs, "wall_seconds": round(wall_seconds, 2),
              "runs_per_second": round(runs / wall_seconds, 1) if wall_seconds > 0 else None,
              "executor": scheduler or f"local pool, {workers} workers"}
    from experiments.sensitivity.ranking import report

    (folder / "ranking.md").write_text(report(spec, ind, fit, across, pilot_stats, reps, len(parts), timing, files,
                                                              notes or []),
                                       encoding="utf-8")
    dep = posterior_dependence(spec, parts, table, outcomes, reps)
    if dep is not None:  # --posterior: the ranking against the calibrated constants
        dep.to_csv(folder / "posterior_dependence.csv", index=False)
        with open(folder / "ranking.md", "a", encoding="utf-8") as fh:
            fh.write(dependence_text(dep))
    from experiments.io import provenance

    ended = provenance.utc_now()
    seeds = sorted({int(x) for x in pd.concat([table["seed"], pilot["seed"]])})
    prov = provenance.record(
        started=ended - timedelta(seconds=wall_seconds), ended=ended, seeds=seeds,
        workers=scheduler or workers,
        spec=spec.name, method=spec.method, model=spec.model, base=spec.base,
        replications=reps, first_seed=spec.first_seed, design_seed=spec.design_seed,
        parts=len(parts), timing=timing, pilot=pilot_stats, base_params="base_params.json",
        factors=[{"name": f.name, "path": f.path, "kind": f.kind, "low": f.low, "high": f.high,
                  "levels": list(f.levels), "group": f.group} for f in spec.all_factors])
    (folder / "provenance.json").write_text(json.dumps(prov, indent=1, default=_plain) + "\n")


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return str(v)


# --------------------------------------------------------------------------------------
# --posterior: does the ranking depend on the calibrated constants?
# --------------------------------------------------------------------------------------

def posterior_dependence(spec: Spec, parts: dict, table: pd.DataFrame, outcomes: pd.DataFrame,
                         reps: int) -> pd.DataFrame | None:
    """Under ``--posterior`` (regression designs): whether each factor's effect depends on
    the calibrated constants drawn for its runs (columns ``posterior.*``). The ranking of
    :func:`analyse` is marginal over the posterior (each effect averaged over the constants,
    their spread counted as noise). Here, per outcome and cell, run by run:

    * ``adjusted``: the regression with the constants as covariates (each scaled to [0, 1]):
      the factors' SRC adjusted for them, the constants' own SRC, and R^2 with and without;
    * strata: the runs split at the median of the constants' fitted linear effect (where the
      constants push the outcome low, and high); the regression in each half, the SRC put on
      the scale of the whole cell's sd, and Cochran's Q for a difference between the halves
      (independent runs), adjusted over factors and outcomes like the main tests.

    None when the experiment drew no constants or is not a regression."""
    cols = [c for c in outcomes.columns if c.startswith("posterior.")]
    if spec.method != "regression" or not cols:
        return None
    from threadpoolctl import threadpool_limits

    st = spec.statistics
    conf, b, seed = st["confidence"], st["resamples"], spec.design_seed
    fs = {f.name: f for f in spec.design_factors}
    rows: list[dict] = []
    with threadpool_limits(1):
        for o in spec.outcomes:
            for part, (prob, u) in parts.items():
                mask = (table["part"] == part).to_numpy()
                y = outcomes.loc[mask, o].to_numpy(dtype=float)
                uu = np.repeat(u, reps, axis=0)
                c = outcomes.loc[mask, cols].to_numpy(dtype=float)
                ok = ~np.isnan(y)
                y, uu, c = y[ok], uu[ok], c[ok]
                moving = c.max(axis=0) > c.min(axis=0)
                if len(y) < 8 or not moving.any():
                    continue
                c = c[:, moving]
                cnames = [n[len("posterior."):] for n, m in zip(cols, moving, strict=True) if m]
                cu = (c - c.min(axis=0)) / (c.max(axis=0) - c.min(axis=0))
                names = list(prob["names"])
                kinds = [(fs[n].kind, len(fs[n].levels)) for n in names]
                groups = [fs[n].group for n in names]

                def fit(k, x, yy, g, _seed=seed):
                    return analysis.regression(k, x, yy, noise_var=float("nan"), groups=g, confidence=conf,
                                               resamples=b, seed=_seed)

                marginal = fit(kinds, uu, y, groups)
                allk = kinds + [("float", 0)] * len(cnames)
                both = np.hstack([uu, cu])
                adjusted = fit(allk, both, y, groups + ["posterior"] * len(cnames))
                x, blocks = analysis._columns(allk, both)
                beta, _ = analysis._ols(x, y)
                lp = x[:, blocks[len(names)].start:] @ beta[blocks[len(names)].start:]
                low = lp <= np.median(lp)
                halves = [fit(kinds, uu[s], y[s], groups, seed + 1 + i) for i, s in enumerate((low, ~low))]
                scale = [float(y[s].std(ddof=1) / y.std(ddof=1)) for s in (low, ~low)]
                common = {"outcome": o, "part": part, "runs": len(y), "r2_factors": marginal["r2"],
                          "r2_with_constants": adjusted["r2"]}
                for j, name in enumerate(names):
                    est = np.array([h["effects"]["estimate"][j] * sc for h, sc in zip(halves, scale, strict=True)])
                    se = np.array([h["effects"]["se"][j] * sc for h, sc in zip(halves, scale, strict=True)])
                    q, q_p, tau = analysis.heterogeneity(est, se)
                    rows.append({**common, "term": name, "kind": "factor",
                                 "src_marginal": marginal["effects"]["estimate"][j],
                                 "rank_marginal": int(marginal["effects"]["rank"][j]),
                                 "src_adjusted": adjusted["effects"]["estimate"][j],
                                 "rank_adjusted": int(analysis.ranks(np.abs(adjusted["effects"]["estimate"][:len(names)]))[j]),
                                 "src_low_half": est[0], "src_high_half": est[1],
                                 "rank_low_half": int(halves[0]["effects"]["rank"][j]),
                                 "rank_high_half": int(halves[1]["effects"]["rank"][j]),
                                 "q": q, "q_p": q_p})
                for j, name in enumerate(cnames):
                    k = len(names) + j
                    rows.append({**common, "term": name, "kind": "constant",
                                 "src_adjusted": adjusted["effects"]["estimate"][k],
                                 "p_value": adjusted["effects"]["p_value"][k]})
    if not rows:
        return None
    dep = pd.DataFrame(rows)
    tested = dep["q_p"].notna()
    dep["q_p_adjusted"] = np.nan
    dep.loc[tested, "q_p_adjusted"] = analysis.adjust(dep.loc[tested, "q_p"].to_numpy(float), st["correction"])
    dep["differs"] = dep["q_p_adjusted"] < 1 - conf
    return dep


def dependence_text(dep: pd.DataFrame, top: int = 3) -> str:
    """The section of ranking.md on the ranking against the calibrated constants (English
    and French)."""
    from scipy.stats import spearmanr

    en = ["", "## Against the calibrated constants (--posterior)", "",
          "The ranking above is **marginal over the posterior**: each factor's effect is averaged over the "
          "calibrated constants drawn for its runs, and their spread counts as noise. Whether it depends on "
          "them (`posterior_dependence.csv`): the regression again with the constants as covariates, and "
          "in the two halves of the runs split at the median of the constants' fitted effect on the outcome "
          "(where they push it low, and high); a factor whose effect differs between the halves is flagged "
          "(Cochran's Q, adjusted over factors and outcomes).", ""]
    fr = ["", "**FR.** Le classement ci-dessus est **marginal sur la loi a posteriori** : l'effet de chaque "
          "facteur est moyenné sur les constantes calibrées tirées pour ses simulations, dont la dispersion compte "
          "comme du bruit. `posterior_dependence.csv` dit s'il en dépend : régression avec les constantes en "
          "covariables, et dans les deux moitiés des simulations coupées à la médiane de l'effet ajusté des "
          "constantes (test Q de Cochran, ajusté).", ""]
    for (o, part), g in dep.groupby(["outcome", "part"], sort=False):
        f = g[g["kind"] == "factor"]
        c = g[g["kind"] == "constant"].sort_values("src_adjusted", key=np.abs, ascending=False)

        def tops(col, f=f):
            return ", ".join(f"{r.term} {getattr(r, col):+.2f}" for r in
                             f.reindex(f[col].abs().sort_values(ascending=False).index).head(top).itertuples())

        rho_half = spearmanr(f["src_low_half"].abs(), f["src_high_half"].abs())[0] if len(f) > 2 else float("nan")
        rho_adj = spearmanr(f["src_marginal"].abs(), f["src_adjusted"].abs())[0] if len(f) > 2 else float("nan")
        differs = ", ".join(f["term"][f["differs"].fillna(False).astype(bool)]) or "none"
        where = o if part == "factors" else f"{o} ({part})"
        en.append(f"- **{where}**: the constants explain {g['r2_with_constants'].iat[0] - g['r2_factors'].iat[0]:.2f} "
                  f"more of the variance (R² {g['r2_factors'].iat[0]:.2f} → {g['r2_with_constants'].iat[0]:.2f}); "
                  f"strongest: {', '.join(f'{r.term} {r.src_adjusted:+.2f}' for r in c.head(top).itertuples())}. "
                  f"Top factors adjusted for them: {tops('src_adjusted')} (rank correlation with the marginal "
                  f"ranking {rho_adj:.2f}). Where the constants push it low: {tops('src_low_half')}; high: "
                  f"{tops('src_high_half')} (rank correlation {rho_half:.2f}, over every factor, the undetected ones' order being noise). "
                  f"Effect differs between the halves: {differs}.")
    return "\n".join(en + fr) + "\n"
