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
- ``figures/check.png``: each target's predictive interval, before and after, against its
  figure and band.
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
BOOT = 400  # bootstrap resamples of the particles (Monte Carlo error of ratios and in-band shares)
MIN_CLUSTERS = 20  # fewer distinct particles (or draws): no Monte Carlo interval of an in-band share
EDGE_MASS = 0.2  # posterior weight in the outer tenth of a range that flags a bound (prior: 0.1)


def _wq(x: np.ndarray, w: np.ndarray, q: float) -> float:
    return weighted_quantile(np.asarray(x, float), np.asarray(w, float), q)


def parameter_table(spec: CalibrationSpec, result: Result, base: dict | None) -> pd.DataFrame:
    """Posterior median and interval of each parameter, and whether the evidence pins it down.

    The verdict compares the width of the posterior's central interval (at the spec's level)
    with that of the uniform prior: under half is "pinned down", under 0.8 "narrowed", else
    "left open". The ratio's Monte Carlo error is its standard deviation over a bootstrap of
    the particles (resampled with their weights); a verdict whose ratio lies within two of
    them of a threshold is marked "(within Monte Carlo error)". ``mass_low`` / ``mass_high``:
    the posterior weight in the outer tenth of the range at each end (0.1 under the prior);
    over 0.2 the mass leans on that bound ("edge"): the figures push the parameter further
    than the range allows. No verdict when the effective sample size is under ``MIN_ESS``.
    """
    from .run import values_at

    last = result.last
    vals = pd.DataFrame([values_at(spec, u) for u in last.points])
    a = (1 - spec.level) / 2
    rows = []
    thin = last.ess < MIN_ESS  # too few effective particles for a verdict
    rng = np.random.default_rng(0)
    n = len(last.points)
    boot = [rng.integers(0, n, n) for _ in range(BOOT)]
    for f in spec.parameters:
        x = vals[f.path].to_numpy(float)
        lo, med, hi = (_wq(x, last.weights, q) for q in (a, 0.5, 1 - a))
        scale = spec.level * (f.high - f.low)
        ratio = (hi - lo) / scale
        ratios = [(_wq(x[i], last.weights[i], 1 - a) - _wq(x[i], last.weights[i], a)) / scale for i in boot]
        se = float(np.std(ratios))
        verdict = "pinned down" if ratio < 0.5 else ("narrowed" if ratio < 0.8 else "left open")
        if min(abs(ratio - 0.5), abs(ratio - 0.8)) < 2 * se:
            verdict += " (within Monte Carlo error)"
        if thin:
            verdict = f"no verdict (effective sample size {last.ess:.0f} < {MIN_ESS})"
        pos = (x - f.low) / (f.high - f.low)
        w = last.weights / last.weights.sum()
        m_lo, m_hi = float(w[pos < 0.1].sum()), float(w[pos > 0.9].sum())
        edge = " and ".join(e for e, m in (("low", m_lo), ("high", m_hi)) if m > EDGE_MASS)
        rows.append({"parameter": f.path, "kind": f.kind, "prior_low": f.low, "prior_high": f.high,
                     "base": _at(base, f.path), "posterior_median": med, "posterior_low": lo,
                     "posterior_high": hi, "width_ratio": ratio, "width_ratio_se": se, "verdict": verdict,
                     "mass_low": m_lo, "mass_high": m_hi, "edge": edge})
    return pd.DataFrame(rows)


def _at(base: dict | None, path: str) -> Any:
    node: Any = base
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def in_band_interval(inside: np.ndarray, clusters: np.ndarray, level: float = 0.9) -> tuple[float, float]:
    """Monte Carlo interval of an in-band share: a bootstrap over clusters (the particles a
    check's draws came from: draws of one particle are not independent), ``level`` central.
    At a share of 0 or 1 the bootstrap degenerates: a one-sided ``level`` bound instead, from
    ``k`` independent clusters ((1 - b)^k = 1 - level, about 2.3 / k at 90 %); NaN under
    ``MIN_CLUSTERS`` clusters."""
    inside = np.asarray(inside, float)
    _, idx = np.unique(clusters, axis=0, return_inverse=True)
    idx = idx.ravel()
    k = idx.max() + 1
    hits, count = np.bincount(idx, inside, k), np.bincount(idx, minlength=k).astype(float)
    if k < MIN_CLUSTERS:  # too few particles for a bootstrap to mean anything
        return float("nan"), float("nan")
    share = hits.sum() / count.sum()
    if share in (0.0, 1.0):  # the percentile bootstrap degenerates: a one-sided bound over k clusters
        b = 1 - (1 - level) ** (1 / k)  # (1 - b)^k = 1 - level
        return (1.0 - b, 1.0) if share == 1.0 else (0.0, b)
    rng = np.random.default_rng(1)
    pick = rng.integers(0, k, (BOOT, k))
    shares = hits[pick].sum(axis=1) / count[pick].sum(axis=1)
    a = (1 - level) / 2
    return float(np.quantile(shares, a)), float(np.quantile(shares, 1 - a))


def check_table(spec: CalibrationSpec, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Each target's figure and band against the predictive interval before and after, with a
    Monte Carlo interval of each in-band share (bootstrap over the particles drawn; before,
    over the draws, each on its own seeds)."""
    a = (1 - spec.level) / 2
    ucols = [c for c in after.columns if c.startswith("u_")]
    clusters = {"before": np.arange(len(before))[:, None],
                "after": after[ucols].to_numpy() if ucols else np.arange(len(after))[:, None]}
    rows = []
    for t in spec.targets:
        row: dict[str, Any] = {"target": t.key, "role": t.role,
                               "figure": t.figure, "band_low": t.low, "band_high": t.high}
        for label, df in (("before", before), ("after", after)):
            x = df[t.key].to_numpy(float)
            inside = t.in_band(x)
            row[f"{label}_median"] = float(np.median(x))
            row[f"{label}_low"] = float(np.quantile(x, a))
            row[f"{label}_high"] = float(np.quantile(x, 1 - a))
            row[f"{label}_in_band"] = float(np.mean(inside))
            row[f"{label}_in_band_low"], row[f"{label}_in_band_high"] = in_band_interval(inside, clusters[label])
        rows.append(row)
    return pd.DataFrame(rows)


def distance_shares(spec: CalibrationSpec, result: Result) -> dict[str, float]:
    """Each fitted target's share of the squared scaled distance, weighted over the last
    population: whether one pattern dominates the fit."""
    last = result.last
    obs = np.array([t.figure for t in spec.fitted])
    sq = ((last.stats - obs) / result.scales) ** 2
    tot = np.nansum(last.weights[:, None] * sq, axis=0)
    return {t.key: float(v / tot.sum()) for t, v in zip(spec.fitted, tot, strict=True)}


def default_changes(params: pd.DataFrame, check: pd.DataFrame) -> pd.DataFrame:
    """The rule for the defaults. The check alone cannot decide it when the defaults pass it
    too; a calibrated value replaces a default only where the evidence moves it: the posterior
    holds the check, the parameter is pinned down or narrowed (not within Monte Carlo error of
    "left open") and its default lies outside its posterior interval. The new value is the
    posterior median."""
    if not check_holds(check):
        return params.iloc[0:0]
    moved = params["width_ratio"] + 2 * params["width_ratio_se"] < 0.8
    base = pd.to_numeric(params["base"], errors="coerce")
    outside = (base < params["posterior_low"]) | (base > params["posterior_high"])
    return params[moved & outside & ~params["verdict"].str.startswith("no verdict")]


def check_figure(path: Path, check: pd.DataFrame) -> None:
    """Each target's band (grey), figure (x) and 90 % predictive interval before (open) and
    after calibration (filled)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(check)
    fig, axes = plt.subplots(n, 1, figsize=(6.5, 0.75 * n + 0.8), squeeze=False)
    for ax, r in zip(axes[:, 0], check.itertuples(), strict=True):
        lo = min(r.band_low, r.before_low, r.after_low)
        hi = max(r.band_high, r.before_high, r.after_high)
        pad = 0.08 * (hi - lo or 1)
        ax.axvspan(r.band_low, r.band_high, color="0.85")
        for y, pre, face in ((0.65, "before", "none"), (0.35, "after", "tab:blue")):
            ax.plot([getattr(r, f"{pre}_low"), getattr(r, f"{pre}_high")], [y, y], color="tab:blue", lw=1.5)
            ax.plot(getattr(r, f"{pre}_median"), y, "o", mfc=face, mec="tab:blue", ms=5)
        ax.plot(r.figure, 0.5, "x", color="black", ms=8)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_ylabel(f"{r.target}\n({r.role})", rotation=0, ha="right", va="center", fontsize=7)
        ax.tick_params(labelsize=6)
    axes[0, 0].set_title("band (grey), figure (x), predictive interval before (open) and after (filled)",
                         fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pairs_figure(path: Path, spec: CalibrationSpec, result: Result, base: dict | None = None) -> None:
    """Weighted histograms of each parameter on the diagonal (x axis = the prior's range, a red
    line at the base value), weighted scatter off it."""
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
                b = _at(base, fi.path)
                if isinstance(b, int | float):
                    ax.axvline(b, color="tab:red", lw=1)
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
    fig.suptitle(f"{spec.name}: posterior (generation {last.t}, {len(last.points)} particles; axes: prior "
                 "ranges; red: base value)", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110 if d <= 6 else 60)  # 12 parameters: 1.7 MB at 110 dpi
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


def _share(r: Any, label: str) -> str:
    """An in-band share with its Monte Carlo interval, when the table has one (older folders)."""
    x = getattr(r, f"{label}_in_band")
    lo, hi = getattr(r, f"{label}_in_band_low", None), getattr(r, f"{label}_in_band_high", None)
    return f"{x:.0%}" + ("" if lo is None or not np.isfinite(lo) else f" [{lo:.0%}, {hi:.0%}]")


def verdict_line(check: pd.DataFrame) -> str:
    fit = check[check["role"] == "fitted"]
    ok = fit[fit["after_in_band"] >= GOAL]["target"].tolist()
    bad = fit[fit["after_in_band"] < GOAL]
    close = [r.target for r in fit.itertuples()
             if getattr(r, "after_in_band_low", 1.0) < GOAL <= getattr(r, "after_in_band_high", 0.0)]
    return (f"- Posterior predictive check (goal: at least {GOAL:.0%} of draws in band): "
            f"{len(ok)} of {len(fit)} fitted targets reach it"
            + (f"; not reached by {', '.join(f'{r.target} ({_share(r, 'after')})' for r in bad.itertuples())}"
               if len(bad) else "")
            + (f"; within Monte Carlo error of the goal: {', '.join(close)}" if close else "") + ".")


def targets_table(check: pd.DataFrame) -> list[str]:
    lines = ["| target | role | figure | band | before: median [interval], in band [MC interval] | "
             "after: median [interval], in band [MC interval] |", "|---|---|---|---|---|---|"]
    for r in check.itertuples():
        lines.append(f"| {r.target} | {r.role} | {_fmt(r.figure)} | [{_fmt(r.band_low)}, {_fmt(r.band_high)}] | "
                     f"{_fmt(r.before_median)} [{_fmt(r.before_low)}, {_fmt(r.before_high)}], "
                     f"{_share(r, 'before')} | {_fmt(r.after_median)} [{_fmt(r.after_low)}, "
                     f"{_fmt(r.after_high)}], {_share(r, 'after')} |")
    return lines


CHECK_NOTE = ("In band [MC interval]: the share of draws whose pattern falls in the band, with a 90 % "
              "Monte Carlo interval from a bootstrap over the particles drawn (draws of one particle are "
              "not independent); before, over the draws.")


def recheck_words(spec: CalibrationSpec, check: pd.DataFrame, folder: Path, *, changed: bool,
                  quick: bool, fresh: int = 0) -> str:
    """The report of ``alliance calibrate --check``: the predictive checks on today's code."""
    from .run import T_AFTER

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
             f"is the mean over {spec.replications_at(T_AFTER)} seed(s). {CHECK_NOTE}", ""]
    return "\n".join(lines)


def recheck_words_with_replicates(text: str, folder: Path, fingerprint: str | None, original: bool) -> str:
    """The recheck report with the table over replicates appended (when there are two or more)."""
    extra = replicates_table(folder, fingerprint, original)
    return text + ("\n" + "\n".join(extra) if extra else "")


def replicates_table(folder: Path, fingerprint: str | None, original: bool = True) -> list[str]:
    """The fitted targets' in-band shares over the folder's own check and every ``--fresh``
    replicate in ``folder/rechecks`` made on the same model code: the check's Monte Carlo spread
    measured over independent replicates, and the share pooled over them."""
    found: dict[int, dict] = {}
    try:
        if not original:  # the calibration's own check ran on other code
            raise KeyError
        first = json.loads((folder / "summary.json").read_text())
        found[0] = {r["target"]: r for r in first.get("check", []) if r.get("role") == "fitted"}
    except (OSError, ValueError, TypeError, KeyError):
        pass
    for sub in sorted((folder / "rechecks").glob("*/summary.json")):
        try:
            rec = json.loads(sub.read_text())
        except (OSError, ValueError):
            continue
        if rec.get("fresh") and rec.get("model_fingerprint") == fingerprint:
            found[int(rec["fresh"])] = {r["target"]: r for r in rec.get("check", []) if r.get("role") == "fitted"}
    if len(found) < 2:
        return []
    keys = sorted(found)
    targets = list(found[keys[0]])
    lines = ["## The check over independent replicates", "",
             "Share of posterior draws in band for each fitted target, in the calibration's own check (0) and "
             "in each `--fresh K` replicate on this code; pooled: their mean (each replicate has the same "
             "number of draws).", "",
             "| target | " + " | ".join(f"replicate {k}" for k in keys) + " | pooled | defaults, pooled |",
             "|---|" + "---|" * (len(keys) + 2)]
    for t in targets:
        after = [found[k][t]["after_in_band"] for k in keys if t in found[k]]
        before = [found[k][t]["before_in_band"] for k in keys if t in found[k]]
        lines.append(f"| {t} | " + " | ".join(f"{found[k][t]['after_in_band']:.1%}" if t in found[k] else "-"
                                               for k in keys)
                     + f" | {np.mean(after):.1%} | {np.mean(before):.1%} |")
    return lines + [""]


ROLE_WORDS = {"validation": "Validation", "excluded": "Excluded (not comparable)"}


def plain_words(spec: CalibrationSpec, params: pd.DataFrame, check: pd.DataFrame, result: Result,
                quick: bool) -> str:
    """The report in plain words: what the evidence pins down, what it leaves open, the fit."""
    from .run import T_AFTER

    lines = [f"# {spec.name}: ABC-SMC calibration{' (quick: a pipeline check, not a calibration)' if quick else ''}",
             "", spec.description.strip(), "", "## In short", ""]
    pinned = params[params["verdict"].str.startswith("pinned down")]["parameter"].tolist()
    narrowed = params[params["verdict"].str.startswith("narrowed")]["parameter"].tolist()
    left = params[params["verdict"].str.startswith("left open")]["parameter"].tolist()
    knife = params[params["verdict"].str.contains("Monte Carlo error")]["parameter"].tolist()
    edges = params[params["edge"] != ""] if result.last.ess >= MIN_ESS else params.iloc[0:0]
    if result.last.ess < MIN_ESS:
        lines.append(f"- No verdict on the parameters: the last generation's effective sample size is "
                     f"{result.last.ess:.0f} (under {MIN_ESS}), too few particles to tell what the evidence pins down.")
    else:
        at = f" at the final tolerance {result.last.epsilon:.3g}" if np.isfinite(result.last.epsilon) else ""
        lines.append(f"- The evidence pins down{at}: {', '.join(pinned) or 'no parameter'}.")
        if narrowed:
            lines.append(f"- It narrows: {', '.join(narrowed)}.")
        lines.append(f"- It leaves open: {', '.join(left) or 'no parameter'}.")
        if knife:
            lines.append(f"- Verdicts within Monte Carlo error of their threshold (width ratio within two standard "
                         f"errors of 0.5 or 0.8): {', '.join(knife)}.")
    for _, r in edges.iterrows():
        lines.append(f"- {r['parameter']}: posterior mass leans on the {r['edge']} bound of its range "
                     f"({r['mass_low']:.0%} of the weight in the lowest tenth, {r['mass_high']:.0%} in the highest; "
                     f"0.1 each under the prior): the figures may push it further than the range allows.")
    lines.append(verdict_line(check))
    if spec.is_simulation:
        fit = check[check["role"] == "fitted"]
        defaults_pass = bool((fit["before_in_band"] >= GOAL).all())
        change = default_changes(params, check)
        lines.append(
            f"- The defaults' own check: {'every' if defaults_pass else 'not every'} fitted target at the goal "
            f"({', '.join(f'{r.target} {_share(r, "before")}' for r in fit.itertuples())})"
            + (", so the check cannot tell the posterior from the defaults." if defaults_pass else "."))
        lines.append("- Defaults to change (rule: the check holds, the parameter is pinned down or narrowed and its "
                     "default lies outside its posterior interval): "
                     + (", ".join(f"{r.parameter} {_fmt(r.base)} -> {_fmt(r.posterior_median)}"
                                  for r in change.itertuples()) or "none") + ".")
    for role in ("validation", "excluded"):
        for r in check[check["role"] == role].itertuples():
            note = next((t.note for t in spec.targets if t.key == r.target), "")
            lines.append(f"- {ROLE_WORDS[role]} {r.target}: {_share(r, 'after')} of posterior draws in its band "
                         f"[{_fmt(r.band_low)}, {_fmt(r.band_high)}] (defaults: {_share(r, 'before')})"
                         + (f"; {note}" if note else "") + ".")
    for r in check[~check["role"].isin(["fitted", "validation", "excluded"])].itertuples():
        lines.append(f"- Held out {r.target}: {_share(r, 'after')} of posterior draws in its band "
                     f"[{_fmt(r.band_low)}, {_fmt(r.band_high)}] (before: {_share(r, 'before')}).")
    reps = sorted({spec.replications_at(t) for t in range(len(result.history))})
    lines.append(f"- Stopped: {result.stopped}; {result.simulations} parameter sets "
                 f"simulated by the algorithm, {' or '.join(map(str, reps))} seed(s) each; the check "
                 f"{spec.replications_at(T_AFTER)} seed(s) a draw.")
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
              f"{spec.replications_at(T_AFTER)} seed(s), an estimate of the expected pattern the figure "
              f"is compared with. {CHECK_NOTE} Figure: figures/check.png.", "",
              f"## Parameters: prior range, base value and posterior median with {lvl} interval", "",
              "Width ratio: the posterior interval's width over the prior's (same level), with its Monte "
              "Carlo standard error (bootstrap of the particles); mass low / high: the weight in the outer "
              "tenth of the range (0.1 under the prior).", "",
              "| parameter | prior | base | posterior | width ratio | mass low / high | verdict |",
              "|---|---|---|---|---|---|---|"]
    for r in params.itertuples():
        lines.append(f"| {r.parameter} | [{_fmt(r.prior_low)}, {_fmt(r.prior_high)}] | {_fmt(r.base)} | "
                     f"{_fmt(r.posterior_median)} [{_fmt(r.posterior_low)}, {_fmt(r.posterior_high)}] | "
                     f"{r.width_ratio:.2f} ± {r.width_ratio_se:.2f} | {r.mass_low:.2f} / {r.mass_high:.2f} | "
                     f"{r.verdict}{' (' + r.edge + ' bound)' if r.edge else ''} |")
    lines += ["", "## Acceptance history", "", "| generation | tolerance | proposals | acceptance | ESS |",
              "|---|---|---|---|---|"]
    for h in result.history:
        eps = "prior" if not np.isfinite(h["epsilon"]) else f"{h['epsilon']:.3g}"
        lines.append(f"| {h['generation']} | {eps} | {h['proposals']} | {h['acceptance_rate']:.2f} | "
                     f"{h['ess']:.0f} |")
    shares = distance_shares(spec, result)
    scales = dict(zip([t.key for t in spec.fitted], result.scales, strict=True))
    lines += ["", "## Distance", "", "Euclidean over the fitted targets, each deviation divided by its "
              "median absolute deviation over the prior predictive sample plus its median absolute "
              "deviation from the figure (at least a twentieth of its band), so that no pattern "
              "dominates, not even one the model cannot reach. Each target's scale, in units of its band's "
              "width, and its share of the squared distance over the last population (weighted):", "",
              "| target | scale | scale / band width | final tolerance in the target's units | "
              "share of the squared distance |", "|---|---|---|---|---|"]
    eps = result.last.epsilon if np.isfinite(result.last.epsilon) else float("nan")
    for t in spec.fitted:
        lines.append(f"| {t.key} | {scales[t.key]:.3g} | {scales[t.key] / (t.high - t.low):.2f} | "
                     f"± {eps * scales[t.key]:.3g} | {shares[t.key]:.0%} |")
    lines += ["", "The final tolerance, put on one target alone, allows that deviation from its figure: "
              "the posterior is the ABC approximation at that tolerance, wider than the figures alone "
              "would allow when the tolerance is well above the seed noise of the pattern."]
    lines.append("")
    return "\n".join(lines)


def write_all(folder: Path, *, spec: CalibrationSpec, result: Result, before: pd.DataFrame,
              after: pd.DataFrame, quick: bool, wall_seconds: float, computed: int,
              workers: int | None, scheduler: str | None) -> str:
    """Write every file of the folder; return the plain-words report."""
    from .run import T_AFTER, values_at

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
    from .integrity import file_sha256
    history = pd.DataFrame(result.history)
    history.to_csv(folder / "history.csv", index=False)
    params = parameter_table(spec, result, base)
    params.to_csv(folder / "parameters.csv", index=False)
    check = check_table(spec, before, after)
    check.to_csv(folder / "check.csv", index=False)
    pairs_figure(folder / "figures" / "pairs.png", spec, result, base)
    check_figure(folder / "figures" / "check.png", check)
    text = plain_words(spec, params, check, result, quick)
    (folder / "report.md").write_text(text)
    summary = {
        "kind": "calibration", "name": spec.name, "quick": quick, "model": spec.model,
        "parameters": [{"path": f.path, "name": f.name, "kind": f.kind, "low": f.low, "high": f.high}
                       for f in spec.parameters],
        "targets": [{"key": t.key, "figure": t.figure, "band": [t.low, t.high], "fit": t.fit,
                     "role": t.role, "source": t.source, "note": t.note} for t in spec.targets],
        "settings": {**spec.abc.__dict__, "replications": spec.replications, "draws": spec.draws,
                     "level": spec.level, "first_seed": spec.first_seed,
                     "check_replications": spec.replications_at(T_AFTER)},
        "distance_shares": distance_shares(spec, result),
        "default_changes": {r.parameter: {"default": r.base, "calibrated": r.posterior_median}
                            for r in default_changes(params, check).itertuples()},
        "scales": dict(zip([t.key for t in spec.fitted], map(float, result.scales), strict=True)),
        "stopped": result.stopped, "simulations": result.simulations,
        "model_runs_this_session": computed, "wall_seconds": wall_seconds, "workers": workers,
        "scheduler": scheduler, "history": [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                                             for k, v in h.items()} for h in result.history],
        "posterior_parameters": params.replace({np.nan: None}).to_dict("records"),
        "check": check.to_dict("records"), "target_keys": keys, "posterior_rows": len(post),
        "posterior_sha256": file_sha256(folder / "posterior.csv"),
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
        first_seed=spec.first_seed, seeds_rule="first_seed + R * (t * 10**9 + b * 10**5 + i) + r, R the most seeds per set "
        "(experiments/calibration/run.py seed_of)", base_params="base_params.json")
    (folder / "provenance.json").write_text(json.dumps(prov, indent=1, default=str) + "\n")
    return text
