"""Results of a sensitivity experiment: indices, ranked tables, noise report and figures.

Writes into the experiment's folder: ``design.parquet`` (every run: design coordinates,
factor values, seed, outcomes), ``pilot.parquet``, ``indices.csv`` (long format, one row per
outcome, part, factor and index), ``convergence.csv``, ``ranking.md`` (the report) and
``figures/`` (indices with intervals, convergence, Sobol second-order heatmap), plus
``provenance.json``. Figures use matplotlib's object API on an Agg canvas (no global state).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.sensitivity import analysis
from experiments.sensitivity.spec import DUMMY, Spec

KEY_INDEX = {"morris": "mu_star", "sobol": "ST"}


def _matrix(outcomes: pd.DataFrame, table: pd.DataFrame, part: str, outcome: str, reps: int) -> np.ndarray:
    rows = (table["part"] == part).to_numpy()
    return outcomes.loc[rows, outcome].to_numpy(dtype=float).reshape(-1, reps)


def analyse(spec: Spec, parts: dict, table: pd.DataFrame, outcomes: pd.DataFrame, reps: int
            ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict]]:
    """Long tables of indices and of convergence, and the design's noise share per outcome."""
    b, conf, seed = spec.bootstrap["resamples"], spec.bootstrap["confidence"], spec.design_seed
    groups = {f.name: f.group for f in spec.all_factors}
    rows, conv, noise = [], [], {}
    for o in spec.outcomes:
        for part, (prob, u) in parts.items():
            y = _matrix(outcomes, table, part, o, reps)
            if part == "factors":
                noise[o] = analysis.noise_share(y)
            if spec.method == "morris":
                t = spec.morris["trajectories"]
                df = analysis.analyse_morris(prob, u, y, levels=spec.morris["levels"], resamples=b,
                                             confidence=conf, seed=seed)
                rows += _long(df, o, part, ("mu_star", "mu", "sigma"), groups)
                sizes = sorted({max(2, t * k // 4) for k in (1, 2, 3, 4)})
                for s in sizes:
                    d = analysis.analyse_morris(prob, u, y, levels=spec.morris["levels"], resamples=100,
                                                confidence=conf, seed=seed, trajectories=s)
                    conv += _conv(d, o, part, s, "mu_star")
            else:
                second = spec.sobol["second_order"] and part == "factors"
                df, s2 = analysis.analyse_sobol(prob, y, second=second, resamples=b, confidence=conf, seed=seed)
                rows += _long(df, o, part, ("ST", "S1"), groups)
                if s2 is not None:
                    for r in s2.itertuples():
                        rows.append({"outcome": o, "part": part, "factor": r.factor, "factor2": r.factor2,
                                     "group": "", "index": "S2", "estimate": r.S2, "low": r.S2_low,
                                     "high": r.S2_high, "salib_conf": r.S2_conf})
                n = spec.sobol["n"]
                for s in sorted({max(8, n // 8), max(8, n // 4), max(8, n // 2), n}):
                    d, _ = analysis.analyse_sobol(prob, y, second=second, resamples=100, confidence=conf,
                                                  seed=seed, n_rows=min(s, n), pairs=False)
                    conv += _conv(d, o, part, min(s, n), "ST")
    ind = pd.DataFrame(rows)
    return _noise_floor(ind, spec), pd.DataFrame(conv), noise


def _long(df: pd.DataFrame, outcome: str, part: str, names: tuple[str, ...], groups: dict) -> list[dict]:
    out = []
    for r in df.to_dict("records"):
        for k in names:
            out.append({"outcome": outcome, "part": part, "factor": r["factor"], "factor2": "",
                        "group": groups.get(r["factor"], r["factor"]) if part == "factors" else r["factor"],
                        "index": k, "estimate": r[k], "low": r[f"{k}_low"], "high": r[f"{k}_high"],
                        "salib_conf": r.get(f"{k}_conf", np.nan),
                        "rank": r["rank"] if k == names[0] else np.nan,
                        "rank_low": r["rank_low"] if k == names[0] else np.nan,
                        "rank_high": r["rank_high"] if k == names[0] else np.nan})
    return out


def _conv(df: pd.DataFrame, outcome: str, part: str, size: int, key: str) -> list[dict]:
    return [{"outcome": outcome, "part": part, "size": size, "factor": r["factor"], "index": key,
             "estimate": r[key], "low": r[f"{key}_low"], "high": r[f"{key}_high"],
             "width": r[f"{key}_high"] - r[f"{key}_low"]} for r in df.to_dict("records")]


def _noise_floor(ind: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Add the dummy's upper bound per outcome, part and index, and whether each factor's
    interval lies above it (a factor whose interval overlaps the dummy's is indistinguishable
    from noise)."""
    ind["noise_floor"] = np.nan
    ind["above_noise"] = pd.NA
    if not spec.dummy:
        return ind
    dummy = ind[(ind["factor"] == DUMMY) & (ind["factor2"] == "")]
    floor = {(r.outcome, r.part, r.index): r.high for r in dummy.itertuples()}
    key = list(zip(ind["outcome"], ind["part"], ind["index"], strict=True))
    ind["noise_floor"] = [floor.get(k, np.nan) for k in key]
    ind["above_noise"] = [bool(lo > fl) if not np.isnan(fl) and f != DUMMY else pd.NA
                          for lo, fl, f in zip(ind["low"], ind["noise_floor"], ind["factor"], strict=True)]
    return ind


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
              workers: int | None, scheduler: str | None) -> None:
    from experiments.sensitivity import figures as sens_figures

    design_frame(spec, table, outcomes).to_parquet(folder / "design.parquet", index=False)
    pilot.to_parquet(folder / "pilot.parquet", index=False)
    ind, conv, noise = analyse(spec, parts, table, outcomes, reps)
    ind.to_csv(folder / "indices.csv", index=False)
    conv.to_csv(folder / "convergence.csv", index=False)
    figs = folder / "figures"
    figs.mkdir(exist_ok=True)
    files = sens_figures.draw(figs, spec, ind, conv)
    runs = len(table) + len(pilot)
    timing = {"runs": runs, "wall_seconds": round(wall_seconds, 2),
              "runs_per_second": round(runs / wall_seconds, 1) if wall_seconds > 0 else None,
              "executor": scheduler or f"local pool, {workers} workers"}
    (folder / "ranking.md").write_text(report(spec, ind, noise, pilot_stats, reps, timing, files),
                                       encoding="utf-8")
    from experiments.io import provenance

    ended = provenance.utc_now()
    seeds = sorted({int(x) for x in pd.concat([table["seed"], pilot["seed"]])})
    prov = provenance.record(
        started=ended - timedelta(seconds=wall_seconds), ended=ended, seeds=seeds,
        workers=scheduler or workers,
        spec=spec.name, method=spec.method, model=spec.model, base=spec.base,
        replications=reps, first_seed=spec.first_seed, design_seed=spec.design_seed,
        timing=timing, pilot=pilot_stats, design_noise=noise, base_params="base_params.json",
        factors=[{"name": f.name, "path": f.path, "kind": f.kind, "low": f.low, "high": f.high,
                  "levels": list(f.levels), "group": f.group} for f in spec.all_factors])
    (folder / "provenance.json").write_text(json.dumps(prov, indent=1, default=_plain) + "\n")


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return str(v)


# --------------------------------------------------------------------------------------
# The Markdown report
# --------------------------------------------------------------------------------------

def _ci(est: float, lo: float, hi: float) -> str:
    return f"{est:.3g} [{lo:.3g}, {hi:.3g}]"


def report(spec: Spec, ind: pd.DataFrame, noise: dict, pilot: dict, reps: int, timing: dict,
           figures: list[str]) -> str:
    conf = int(round(spec.bootstrap["confidence"] * 100))
    lines = [f"# Sensitivity: {spec.name} ({spec.method})", "", spec.description.strip(), "",
             f"Base: `{spec.base}`; fixed overrides: {spec.overrides or 'none'}; model: `{spec.model}`.",
             f"Runs: {timing['runs']} in {timing['wall_seconds']} s ({timing['runs_per_second']} runs/s, "
             f"{timing['executor']}).", "", "## Factors", ""]
    for f in spec.all_factors:
        lines.append(f"- `{f.name}` ({f.group}): {f.describe()}")
    if any(f.kind == "categorical" for f in spec.factors):
        lines += ["", "Categorical factors are sampled as a uniform u in [0, 1] mapped to level "
                  "min(floor(u k), k - 1), so each level has probability 1/k. Their order is arbitrary: "
                  "a Morris mu* for such a factor measures how much switching level matters, not a slope."]
        if spec.method == "morris":
            for f in spec.factors:
                if f.kind == "categorical":
                    reach = analysis.reachable_levels(len(f.levels), spec.morris["levels"])
                    miss = [str(f.levels[i]) for i in range(len(f.levels)) if i not in reach]
                    lines.append(f"  `{f.name}` on the {spec.morris['levels']}-level grid: "
                                 + (f"levels never sampled: {', '.join(miss)}." if miss else "every level sampled."))
    target = spec.pilot["target"]
    lines += ["", "## Seed noise", "",
              f"Replications per design point: **{reps}** ({'chosen by the pilot' if spec.replications == 'auto' else 'set in the spec'}; "
              f"target: seed noise < {target:.0%} of the variance of the averaged output). Common random numbers: "
              "every point uses the same seeds, except that the dummy factor selects the seed block, so the "
              "dummy's index is the noise floor. Intervals are percentile bootstrap intervals over design rows "
              "and replications; resampling replications adds seed noise, so the dummy's interval leans upward "
              "and the noise floor is conservative.", "",
              "| outcome | seed share of a single run's variance (pilot) | R needed (pilot) | noise share of the averaged output (design) | below target |",
              "|---|---|---|---|---|"]
    for o in spec.outcomes:
        p, d = pilot.get(o, {}), noise.get(o, {})
        share = d.get("share", float("nan"))
        verdict = "n/a (one replication)" if reps < 2 else ("yes" if share < target else "NO")
        lines.append(f"| {o} | {p.get('seed_share_single_run', float('nan')):.3f} | "
                     f"{p.get('replications_needed') or 'no effect seen'} | {share:.3f} | {verdict} |")
    failing = [o for o in spec.outcomes if not noise.get(o, {}).get("share", 0.0) < target]
    if failing and reps >= 2:
        lines += ["", f"Seed noise stays above the target for {', '.join(failing)}: their indices are "
                  f"blurred by noise (compare them with the dummy); raise `max_replications` "
                  f"(now {spec.max_replications}) for a sharper answer."]
    key = KEY_INDEX[spec.method]
    for o in spec.outcomes:
        for part in dict.fromkeys(ind["part"]):
            sub = ind[(ind["outcome"] == o) & (ind["part"] == part) & (ind["factor2"] == "")]
            main = sub[sub["index"] == key].sort_values("rank")
            lines += ["", f"## {o}: {'factors' if part == 'factors' else 'groups (closed group indices)'}", "",
                      f"Ranked by {key}; {conf}% bootstrap intervals over design rows and replications. "
                      "'noise' = interval overlaps the dummy's (indistinguishable from noise).", ""]
            other = "sigma" if spec.method == "morris" else "S1"
            lines += [f"| rank | rank {conf}% | factor | group | {key} | {other} | vs dummy |", "|---|---|---|---|---|---|---|"]
            for r in main.itertuples():
                o2 = sub[(sub["index"] == other) & (sub["factor"] == r.factor)].iloc[0]
                flag = "—" if r.factor == DUMMY else ("above" if r.above_noise is True else
                                                      ("noise" if r.above_noise is False else ""))
                lines.append(f"| {int(r.rank)} | {int(r.rank_low)}–{int(r.rank_high)} | `{r.factor}` | {r.group} | "
                             f"{_ci(r.estimate, r.low, r.high)} | {_ci(o2.estimate, o2.low, o2.high)} | {flag} |")
        all_s2 = ind[(ind["outcome"] == o) & (ind["index"] == "S2")]
        is_dummy = (all_s2["factor"] == DUMMY) | (all_s2["factor2"] == DUMMY)
        s2, dummy_pairs = all_s2[~is_dummy], all_s2[is_dummy]
        if len(s2):
            top = s2.sort_values("estimate", ascending=False).head(spec.sobol["top_pairs"])
            floor = float(dummy_pairs["high"].max()) if len(dummy_pairs) else float("nan")
            lines += ["", f"Strongest second-order interactions for {o} (Saltelli 2002 estimator, noisy; "
                      f"'distinct' = interval excludes 0; for reference, the largest upper bound among "
                      f"the dummy's pairs is {floor:.3g}):", "",
                      "| pair | S2 | distinct |", "|---|---|---|"]
            lines += [f"| `{r.factor}` × `{r.factor2}` | {_ci(r.estimate, r.low, r.high)} | "
                      f"{'yes' if r.low > 0 else 'no'} |" for r in top.itertuples()]
    lines += ["", "## Files", "", "design.parquet (every run), pilot.parquet, indices.csv, convergence.csv, "
              "provenance.json, base_params.json, spec.toml; figures: " + ", ".join(figures), "",
              "References: Morris 1991; Campolongo et al. 2007; Sobol 2001; Saltelli et al. 2010; "
              "Herman & Usher 2017 (SALib); ten Broeke et al. 2016 (sensitivity analysis of ABMs).", ""]
    return "\n".join(lines)
