"""The results folder of a calibration: posterior, history, check, pair plot, plain words.

Files (all paths relative to the folder):

- ``posterior.csv``: the last generation, one row per particle: parameter values by dotted
  path, unit coordinates (``u_*``), normalised ``weight``, ``distance`` and every target's
  simulated pattern (mean over the spec's replications); with ``[abc] refresh``, ``weight`` is
  the weight after the re-weighting on fresh seeds, ``weight_smc`` the one before and
  ``fresh_hits`` the fresh blocks within the tolerance. ``alliance run --posterior`` reads it.
- ``populations.csv``: every generation's particles (column ``generation``).
- ``history.csv``: tolerance, proposals, acceptance rate and effective sample size per generation.
- ``parameters.csv``: prior range, base value, posterior median and interval, and a verdict.
- ``check.csv``: each target's figure and band against the predictive interval before (base
  parameters, seeds only) and after calibration (posterior draws), and the share in band.
- ``figures/pairs.png``: weighted marginals (diagonal) and pairs of the posterior.
- ``summary.json``, ``report.md``: the same in machine-readable form and in plain words.
- ``provenance.json``: git commit (and whether the tree was dirty), versions, command line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .smc import Result, weighted_quantile
from .spec import CalibrationSpec

GOAL = 0.90  # share of posterior draws whose pattern should fall in its band
MIN_ESS = 50  # fewer effective particles: the width verdicts are Monte Carlo noise (quick runs)


def _wq(x: np.ndarray, w: np.ndarray, q: float) -> float:
    return weighted_quantile(np.asarray(x, float), np.asarray(w, float), q)


def parameter_table(spec: CalibrationSpec, result: Result, base: dict | None) -> pd.DataFrame:
    """Posterior median and interval of each parameter, and whether the evidence pins it down.

    The verdict compares the width of the posterior's central interval (at the spec's level)
    with that of the uniform prior: under half is "pinned down", under 0.8 "narrowed", else
    "left open"; a median in the outer tenth of the range is flagged "at the edge".
    """
    from .run import values_at

    last = result.last
    vals = pd.DataFrame([values_at(spec, u) for u in last.points])
    a = (1 - spec.level) / 2
    rows = []
    thin = last.ess < MIN_ESS  # too few effective particles for a verdict
    for f in spec.parameters:
        x = vals[f.path].to_numpy(float)
        lo, med, hi = (_wq(x, last.weights, q) for q in (a, 0.5, 1 - a))
        ratio = (hi - lo) / (spec.level * (f.high - f.low))
        verdict = "pinned down" if ratio < 0.5 else ("narrowed" if ratio < 0.8 else "left open")
        if thin:
            verdict = f"no verdict (effective sample size {last.ess:.0f} < {MIN_ESS})"
        pos = (med - f.low) / (f.high - f.low)
        edge = "low" if pos < 0.1 else ("high" if pos > 0.9 else "")
        rows.append({"parameter": f.path, "kind": f.kind, "prior_low": f.low, "prior_high": f.high,
                     "base": _at(base, f.path), "posterior_median": med, "posterior_low": lo,
                     "posterior_high": hi, "width_ratio": ratio, "verdict": verdict, "edge": edge})
    return pd.DataFrame(rows)


def _at(base: dict | None, path: str) -> Any:
    node: Any = base
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def check_table(spec: CalibrationSpec, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Each target's figure and band against the predictive interval before and after."""
    a = (1 - spec.level) / 2
    rows = []
    for t in spec.targets:
        row: dict[str, Any] = {"target": t.key, "role": "fitted" if t.fit else "held out",
                               "figure": t.figure, "band_low": t.low, "band_high": t.high}
        for label, df in (("before", before), ("after", after)):
            x = df[t.key].to_numpy(float)
            row[f"{label}_median"] = float(np.median(x))
            row[f"{label}_low"] = float(np.quantile(x, a))
            row[f"{label}_high"] = float(np.quantile(x, 1 - a))
            row[f"{label}_in_band"] = float(np.mean(t.in_band(x)))
        rows.append(row)
    return pd.DataFrame(rows)


def pairs_figure(path: Path, spec: CalibrationSpec, result: Result) -> None:
    """Weighted histograms of each parameter on the diagonal, weighted scatter off it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .run import values_at

    last = result.last
    vals = pd.DataFrame([values_at(spec, u) for u in last.points])
    fs = spec.parameters
    d = len(fs)
    fig, axes = plt.subplots(d, d, figsize=(1.9 * d + 1, 1.9 * d + 1), squeeze=False)
    size = 4 + 60 * last.weights / last.weights.max()
    for i, fi in enumerate(fs):
        for j, fj in enumerate(fs):
            ax = axes[i, j]
            if i == j:
                ax.hist(vals[fi.path], bins=15, range=(fi.low, fi.high), weights=last.weights,
                        color="tab:blue")
                ax.set_xlim(fi.low, fi.high)
                ax.set_yticks([])
            elif i > j:
                ax.scatter(vals[fj.path], vals[fi.path], s=size, alpha=0.4, color="tab:blue", lw=0)
                ax.set_xlim(fj.low, fj.high)
                ax.set_ylim(fi.low, fi.high)
            else:
                ax.axis("off")
            if i == d - 1:
                ax.set_xlabel(fj.path.split(".")[-1] if d > 3 else fj.path, fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(fi.path.split(".")[-1] if d > 3 else fi.path, fontsize=7)
            ax.tick_params(labelsize=6)
    fig.suptitle(f"{spec.name}: posterior (generation {last.t}, {len(last.points)} particles)", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def check_holds(check: pd.DataFrame) -> bool:
    """Whether every fitted target is in its band in at least GOAL of the posterior draws."""
    return bool((check.loc[check["role"] == "fitted", "after_in_band"] >= GOAL).all())


def verdict_line(check: pd.DataFrame) -> str:
    fit = check[check["role"] == "fitted"]
    ok = fit[fit["after_in_band"] >= GOAL]["target"].tolist()
    bad = fit[fit["after_in_band"] < GOAL]
    return (f"- Posterior predictive check (goal: at least {GOAL:.0%} of draws in band): "
            f"{len(ok)} of {len(fit)} fitted targets reach it"
            + (f"; not reached by {', '.join(f'{r.target} ({r.after_in_band:.0%})' for r in bad.itertuples())}."
               if len(bad) else "."))


def targets_table(check: pd.DataFrame) -> list[str]:
    lines = ["| target | role | figure | band | before: median [interval], in band | "
             "after: median [interval], in band |", "|---|---|---|---|---|---|"]
    for r in check.itertuples():
        lines.append(f"| {r.target} | {r.role} | {_fmt(r.figure)} | [{_fmt(r.band_low)}, {_fmt(r.band_high)}] | "
                     f"{_fmt(r.before_median)} [{_fmt(r.before_low)}, {_fmt(r.before_high)}], "
                     f"{r.before_in_band:.0%} | {_fmt(r.after_median)} [{_fmt(r.after_low)}, "
                     f"{_fmt(r.after_high)}], {r.after_in_band:.0%} |")
    return lines


def recheck_words(spec: CalibrationSpec, check: pd.DataFrame, folder: Path, *, changed: bool,
                  quick: bool, fresh: int = 0) -> str:
    """The report of ``alliance calibrate --check``: the predictive checks on today's code."""
    lines = [f"# {spec.name}: predictive check re-run on the current code"
             f"{' (quick calibration: a pipeline check)' if quick else ''}", "",
             f"Calibration: {folder}. The model's code "
             + ("changed since the calibration (another fingerprint)." if changed else
                "is the one that made the calibration (same fingerprint)"
                + (f": independent replicate {fresh} (other posterior draws, other seeds), the check's "
                   "Monte Carlo spread." if fresh else ": this reproduces its check.csv.")),
             "", "## In short", "", verdict_line(check),
             f"- Every fitted target at the goal on this code: {'yes' if check_holds(check) else 'no'}.", "",
             f"## Targets: figure against the model's {spec.level:.0%} predictive interval", "",
             *targets_table(check), "",
             "Before: today's default parameters over seeds only. After: the calibration's posterior "
             f"draws ({spec.draws}, by weight), each on the seeds of "
             + (f"replicate {fresh}" if fresh else "the original check") + "; each value "
             f"is the mean over {spec.replications} seed(s).", ""]
    return "\n".join(lines)


def plain_words(spec: CalibrationSpec, params: pd.DataFrame, check: pd.DataFrame, result: Result,
                quick: bool) -> str:
    """The report in plain words: what the evidence pins down, what it leaves open, the fit."""
    lines = [f"# {spec.name}: ABC-SMC calibration{' (quick: a pipeline check, not a calibration)' if quick else ''}",
             "", spec.description.strip(), "", "## In short", ""]
    pinned = params[params["verdict"] == "pinned down"]["parameter"].tolist()
    narrowed = params[params["verdict"] == "narrowed"]["parameter"].tolist()
    left = params[params["verdict"] == "left open"]["parameter"].tolist()
    edges = params[params["edge"] != ""]
    if result.last.ess < MIN_ESS:
        lines.append(f"- No verdict on the parameters: the last generation's effective sample size is "
                     f"{result.last.ess:.0f} (under {MIN_ESS}), too few particles to tell what the evidence pins down.")
    else:
        lines.append(f"- The evidence pins down: {', '.join(pinned) or 'no parameter'}.")
        if narrowed:
            lines.append(f"- It narrows: {', '.join(narrowed)}.")
        lines.append(f"- It leaves open: {', '.join(left) or 'no parameter'}.")
    for _, r in edges.iterrows():
        lines.append(f"- {r['parameter']} sits at the {r['edge']} edge of its range "
                     f"(median {_fmt(r['posterior_median'])} in [{_fmt(r['prior_low'])}, "
                     f"{_fmt(r['prior_high'])}]): the figures push it further than the range allows.")
    lines.append(verdict_line(check))
    if spec.is_simulation:
        lines.append(f"- Good enough to become the defaults: {'yes' if check_holds(check) else 'no'} (the "
                     "check must hold for every fitted target).")
    held = check[check["role"] == "held out"]
    for r in held.itertuples():
        lines.append(f"- Held out {r.target}: {r.after_in_band:.0%} of posterior draws in its band "
                     f"[{_fmt(r.band_low)}, {_fmt(r.band_high)}] (before: {r.before_in_band:.0%}).")
    lines.append(f"- Stopped: {result.stopped}; {result.simulations} parameter sets "
                 f"simulated by the algorithm, {spec.replications} seed(s) each.")
    ref = result.refreshed
    if ref is not None:
        lines.append(f"- Re-weighted on {ref['blocks']} block(s) of fresh seeds (against lucky acceptances): "
                     f"{ref['hit_share']:.0%} of the posterior weight fell within the tolerance again; "
                     f"effective sample size {ref['ess_smc']:.0f} -> {ref['ess']:.0f}"
                     + ("." if ref["applied"] else "; no particle did, so the SMC weights were kept."))
    lvl = f"{spec.level:.0%}"
    lines += ["", f"## Targets: figure against the model's {lvl} predictive interval", "",
              *targets_table(check)]
    lines += ["", "Before: the base parameters over seeds only. After: parameter sets drawn from "
              "the posterior by weight, each with its own seeds. Each value is the mean over "
              f"{spec.replications} seed(s), the pattern the distance compares.", "",
              f"## Parameters: prior range, base value and posterior median with {lvl} interval", "",
              "| parameter | prior | base | posterior | verdict |", "|---|---|---|---|---|"]
    for r in params.itertuples():
        lines.append(f"| {r.parameter} | [{_fmt(r.prior_low)}, {_fmt(r.prior_high)}] | {_fmt(r.base)} | "
                     f"{_fmt(r.posterior_median)} [{_fmt(r.posterior_low)}, {_fmt(r.posterior_high)}] | "
                     f"{r.verdict}{' (' + r.edge + ' edge)' if r.edge else ''} |")
    lines += ["", "## Acceptance history", "", "| generation | tolerance | proposals | acceptance | ESS |",
              "|---|---|---|---|---|"]
    for h in result.history:
        eps = "prior" if not np.isfinite(h["epsilon"]) else f"{h['epsilon']:.3g}"
        lines.append(f"| {h['generation']} | {eps} | {h['proposals']} | {h['acceptance_rate']:.2f} | "
                     f"{h['ess']:.0f} |")
    lines += ["", "Distances: Euclidean over the fitted targets, each deviation divided by its "
              "median absolute deviation over the prior predictive sample plus its median absolute "
              "deviation from the figure (at least a twentieth of its band), so that no pattern "
              "dominates, not even one the model cannot reach.", ""]
    return "\n".join(lines)


def write_all(folder: Path, *, spec: CalibrationSpec, result: Result, before: pd.DataFrame,
              after: pd.DataFrame, quick: bool, wall_seconds: float, computed: int,
              workers: int | None, scheduler: str | None) -> str:
    """Write every file of the folder; return the plain-words report."""
    from .run import values_at

    base = json.loads((folder / "base_params.json").read_text())
    keys = [t.key for t in spec.targets]
    frames = []
    for g in result.generations:
        df = pd.DataFrame([values_at(spec, u) for u in g.points])
        for j, f in enumerate(spec.parameters):
            df[f"u_{f.name}"] = g.points[:, j]
        df["weight"] = g.weights
        df["distance"] = g.distances
        fitted = [t.key for t in spec.fitted]
        for j, k in enumerate(fitted):
            df[k] = g.stats[:, j]
        df.insert(0, "generation", g.t)
        frames.append(df)
    pops = pd.concat(frames, ignore_index=True)
    pops.to_csv(folder / "populations.csv", index=False)
    post = pops[pops["generation"] == result.last.t].drop(columns="generation")
    ref = result.refreshed
    if ref is not None:  # the SMC weights before the re-weighting on fresh seeds, and the hits
        post = post.assign(weight_smc=ref["weights_smc"], fresh_hits=ref["hits"].astype(int))
    post.to_csv(folder / "posterior.csv", index=False)
    history = pd.DataFrame(result.history)
    history.to_csv(folder / "history.csv", index=False)
    params = parameter_table(spec, result, base)
    params.to_csv(folder / "parameters.csv", index=False)
    check = check_table(spec, before, after)
    check.to_csv(folder / "check.csv", index=False)
    pairs_figure(folder / "figures" / "pairs.png", spec, result)
    text = plain_words(spec, params, check, result, quick)
    (folder / "report.md").write_text(text)
    summary = {
        "kind": "calibration", "name": spec.name, "quick": quick, "model": spec.model,
        "parameters": [{"path": f.path, "name": f.name, "kind": f.kind, "low": f.low, "high": f.high}
                       for f in spec.parameters],
        "targets": [{"key": t.key, "figure": t.figure, "band": [t.low, t.high], "fit": t.fit,
                     "source": t.source} for t in spec.targets],
        "settings": {**spec.abc.__dict__, "replications": spec.replications, "draws": spec.draws,
                     "level": spec.level, "first_seed": spec.first_seed},
        "scales": dict(zip([t.key for t in spec.fitted], map(float, result.scales), strict=True)),
        "stopped": result.stopped, "simulations": result.simulations,
        "model_runs_this_session": computed, "wall_seconds": wall_seconds, "workers": workers,
        "scheduler": scheduler, "history": [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                                             for k, v in h.items()} for h in result.history],
        "posterior_parameters": params.replace({np.nan: None}).to_dict("records"),
        "check": check.to_dict("records"), "target_keys": keys, "posterior_rows": len(post),
        "refresh": None if ref is None else {
            "blocks": ref["blocks"], "applied": ref["applied"], "hit_share": ref["hit_share"],
            "ess_smc": ref["ess_smc"], "ess": ref["ess"]},
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=1, default=float) + "\n")
    from datetime import timedelta

    from experiments.io import provenance

    ended = provenance.utc_now()
    prov = provenance.record(  # git commit and dirty flag, versions, the command line
        started=ended - timedelta(seconds=wall_seconds), ended=ended, seeds=[spec.first_seed],
        workers=scheduler or workers, spec=spec.name, model=spec.model, quick=quick,
        first_seed=spec.first_seed, seeds_rule="first_seed + replications * (t * 10**9 + b * 10**5 + i) + r "
        "(experiments/calibration/run.py seed_of)", base_params="base_params.json")
    (folder / "provenance.json").write_text(json.dumps(prov, indent=1, default=str) + "\n")
    return text
