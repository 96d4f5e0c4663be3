"""Designs and the statistics of a stochastic model's sensitivity: every effect tested.

Every factor's effect on every outcome is an estimate with its own interval and a p-value
against "no effect"; the p-values of an experiment (factors x outcomes) are adjusted
together (Holm 1979, or Benjamini & Hochberg 1995), and an effect is *detected* when its
adjusted p-value is below 1 - confidence. Where it is not, the design's smallest detectable
effect (power ``power`` at the Bonferroni level, which bounds Holm's) is given instead.

* **regression** (stage 1): ordinary least squares on a Latin hypercube (or scrambled Sobol')
  design, one run per point, every run its own seed; standardised regression coefficients
  (SRC, Saltelli et al. 2008, ch. 1.2.5) with heteroscedasticity-robust HC3 standard errors
  (MacKinnon & White 1985); a categorical factor's effect is the standard deviation of its
  fitted level effects over sd(y), tested by a Wald test of its block. R^2 is compared with the
  ceiling the seed noise allows, 1 - s2 / var(y), s2 the within-point variance (pilot).
  Intervals of non-linear summaries (categorical effects, group shares, ranks) are percentile
  bootstraps over design rows: each row is one independent run, so rows carry their noise.
* **sobol** (stage 2): Saltelli (2010) first-order and Jansen total estimators on K
  independently scrambled Sobol' designs; with independent seeds, the Jansen numerator of
  every factor carries the noise variance of a point mean, s2 / R, and the total variance
  V carries it too, so both are corrected: ST = (N_T - s2/R) / (V - s2/R) and
  S1 = N_1 / (V - s2/R); the noise part s2/R / V is reported. s2/R is the within-point
  variance when R >= 2, else the dummy's Jansen numerator (the dummy moves nothing but the
  seeds). Numerators and V are pooled over the scrambles before the ratio; standard errors
  are jackknifed over scrambles (leave one out), intervals and tests Student-t on K - 1
  degrees of freedom (Owen 1997; Efron & Stein 1981): they carry the design error and the
  noise, where a bootstrap over a quasi-random design's rows would overstate the former.
* **morris**: signed elementary effects per trajectory (every run its own seed); mu tested
  against 0 with a t interval over trajectories; mu* and sigma for ranking, with bootstrap
  intervals over trajectories.

References
----------
Holm, S. (1979). Scand. J. Stat. 6, 65-70. https://www.jstor.org/stable/4615733
Benjamini, Y. & Hochberg, Y. (1995). J. R. Stat. Soc. B 57, 289-300.
https://doi.org/10.1111/j.2517-6161.1995.tb02031.x
MacKinnon, J. G. & White, H. (1985). J. Econometrics 29, 305-325.
https://doi.org/10.1016/0304-4076(85)90158-7
Saltelli, A. et al. (2008). Global Sensitivity Analysis. The Primer. Wiley.
https://doi.org/10.1002/9780470725184
Saltelli, A. et al. (2010). Comput. Phys. Commun. 181, 259-270.
https://doi.org/10.1016/j.cpc.2009.09.018
Jansen, M. J. W. (1999). Comput. Phys. Commun. 117, 35-43. https://doi.org/10.1016/S0010-4655(98)00154-4
Owen, A. B. (1997). Scrambled net variance for integrals of smooth functions. Ann. Stat.
25, 1541-1562. https://doi.org/10.1214/aos/1031594731
Efron, B. & Stein, C. (1981). The jackknife estimate of variance. Ann. Stat. 9, 586-596.
https://doi.org/10.1214/aos/1176345462
Morris, M. D. (1991). Technometrics 33(2), 161-174. https://doi.org/10.1080/00401706.1991.10484804
Campolongo, F., Cariboni, J. & Saltelli, A. (2007). Environ. Model. Softw. 22, 1509-1518.
https://doi.org/10.1016/j.envsoft.2006.10.004
Rasmussen, C. E. & Williams, C. K. I. (2006). Gaussian Processes for Machine Learning. MIT Press.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats
from scipy.stats import qmc

#: Smallest standard error of a standardised (dimensionless) estimate: below it, a difference
#: is floating-point rounding, not an effect.
SE_FLOOR = 1e-9

# --------------------------------------------------------------------------------------
# Designs (unit hypercube; Factor.value maps a coordinate to a parameter value)
# --------------------------------------------------------------------------------------


def space_filling(d: int, n: int, kind: str, seed: int) -> np.ndarray:
    """``n`` points in [0, 1)^d: a Latin hypercube (``"lhs"``) or a scrambled Sobol' sequence."""
    rng = np.random.default_rng(seed)
    if kind == "lhs":
        return qmc.LatinHypercube(d, rng=rng).random(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # n not a power of two: balance warning
        return qmc.Sobol(d, scramble=True, rng=rng).random(n)


def sobol_design(problem: dict, n: int, second_order: bool, seed: int) -> np.ndarray:
    """One scrambled Saltelli design (SALib), ``n * (2D + 2)`` or ``n * (D + 2)`` rows."""
    return sobol_sample.sample(problem, n, calc_second_order=second_order, scramble=True, seed=seed)


def morris_design(problem: dict, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """Morris trajectories on a ``levels``-grid: ``trajectories * (D + 1)`` rows."""
    return morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)


# --------------------------------------------------------------------------------------
# Tests and multiplicity
# --------------------------------------------------------------------------------------


def adjust(p: np.ndarray, method: str) -> np.ndarray:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate) adjusted p-values;
    NaN entries (untested rows) stay NaN and do not count in the family."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return out
    q = p[ok]
    if method == "bh":
        out[ok] = stats.false_discovery_control(q, method="bh")
        return out
    m = len(q)
    order = np.argsort(q, kind="stable")
    held = np.maximum.accumulate((m - np.arange(m)) * q[order])
    adj = np.empty(m)
    adj[order] = np.minimum(held, 1.0)
    out[ok] = adj
    return out


def detectable(se: np.ndarray, df: float, tests: int, alpha: float, power: float) -> np.ndarray:
    """The smallest true effect detected with probability ``power`` by a two-sided test at the
    Bonferroni level alpha / tests (which Holm's procedure never makes stricter):
    ``(t_{1 - alpha / 2m} + t_power) * se``."""
    df = max(float(df), 1.0)
    return (stats.t.ppf(1 - alpha / (2 * max(tests, 1)), df) + stats.t.ppf(power, df)) * np.asarray(se)


def _t_rows(est: np.ndarray, se: np.ndarray, df: float, confidence: float) -> dict[str, np.ndarray]:
    q = stats.t.ppf(0.5 + confidence / 2, max(df, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, est / se, np.where(est == 0, 0.0, np.inf))
    return {"estimate": est, "se": se, "ci_low": est - q * se, "ci_high": est + q * se,
            "p_value": 2 * stats.t.sf(np.abs(t), max(df, 1)), "df": np.full(len(est), float(df))}


def _percentile(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    a = (1 - confidence) / 2
    return np.quantile(samples, a, axis=0), np.quantile(samples, 1 - a, axis=0)


def ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest, along the last axis."""
    order = np.argsort(-values, axis=-1, kind="stable")
    out = np.empty_like(order)
    np.put_along_axis(out, order, np.arange(1, values.shape[-1] + 1), axis=-1)
    return out


def noise_variance(y: np.ndarray) -> tuple[float, int]:
    """Pooled within-point variance of outputs ``(points, R)`` and its degrees of freedom."""
    if y.shape[1] < 2:
        return float("nan"), 0
    return float(np.mean(np.var(y, axis=1, ddof=1))), y.shape[0] * (y.shape[1] - 1)


# --------------------------------------------------------------------------------------
# Stage 1: regression
# --------------------------------------------------------------------------------------


def _columns(kinds: list[tuple[str, int]], u: np.ndarray) -> tuple[np.ndarray, list[slice]]:
    """Design matrix (centred, no intercept) and each factor's column block: a continuous
    factor is its unit coordinate; a categorical one with k levels, k - 1 indicator columns."""
    cols, blocks, at = [], [], 0
    for j, (kind, k) in enumerate(kinds):
        if kind == "categorical":
            level = np.minimum(np.floor(u[:, j] * k), k - 1).astype(int)
            block = [(level == i).astype(float) for i in range(1, k)]
        else:
            block = [u[:, j]]
        cols += block
        blocks.append(slice(at, at + len(block)))
        at += len(block)
    x = np.column_stack(cols)
    return x - x.mean(axis=0), blocks


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slopes of y on centred x (with intercept) and the residuals (normal equations: the
    design is far from collinear; least squares where it is singular)."""
    yc = y - y.mean()
    try:
        beta = np.linalg.solve(x.T @ x, x.T @ yc)
    except np.linalg.LinAlgError:
        beta = np.linalg.lstsq(x, yc, rcond=None)[0]
    return beta, yc - x @ beta


def _effects(x: np.ndarray, beta: np.ndarray, blocks: list[slice], sd_y: float, cat: np.ndarray) -> np.ndarray:
    """Signed SRC of continuous factors; sd of the fitted block over sd(y) for categorical ones."""
    first = np.array([b.start for b in blocks])
    out = beta[first] * x[:, first].std(axis=0, ddof=1) / sd_y  # a continuous factor is one column
    for j in np.flatnonzero(cat):
        out[j] = (x[:, blocks[j]] @ beta[blocks[j]]).std(ddof=1) / sd_y
    return out


def regression(kinds: list[tuple[str, int]], u: np.ndarray, y: np.ndarray, *, noise_var: float,
               groups: list[str], confidence: float, resamples: int, seed: int) -> dict[str, Any]:
    """Standardised effects with intervals and p-values, R^2 and its noise ceiling, group shares.

    Parameters
    ----------
    kinds : list of (kind, levels)
        Per factor: ``"categorical"`` with its number of levels, or any other kind.
    u : ndarray (n, factors)
        Unit coordinates, one row per design point.
    y : ndarray (n,)
        The outcome (mean over the point's replications).
    noise_var : float
        Seed-noise variance of ``y`` (within-point variance / replications).
    groups : list of str
        Group of each factor (Charter group, "structure", "dummy").

    Returns
    -------
    dict
        ``effects`` (columns estimate, se, ci_low, ci_high, p_value, rank, rank_low, rank_high),
        ``shares`` (group -> estimate, ci_low, ci_high of its share of the explained variance),
        ``r2``, ``ceiling`` (1 - noise_var / var(y)), ``df``.
    """
    n = len(y)
    x, blocks = _columns(kinds, u)
    cat = np.array([k == "categorical" for k, _ in kinds])
    sd_y = float(y.std(ddof=1))
    beta, resid = _ols(x, y)
    p = x.shape[1]
    df = n - p - 1
    xtx_inv = np.linalg.pinv(x.T @ x)
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    w = resid ** 2 / np.clip(1 - h, 1e-9, None) ** 2
    cov = xtx_inv @ (x.T * w) @ x @ xtx_inv  # HC3
    eff = _effects(x, beta, blocks, sd_y, cat)
    sd_x = x.std(axis=0, ddof=1)
    # bootstrap over design rows: each row is one run, so it carries its own seed noise
    rng = np.random.default_rng(seed)
    boot = np.empty((resamples, len(blocks)))
    for b in range(resamples):
        i = rng.integers(n, size=n)
        xb = x[i] - x[i].mean(axis=0)
        bb, _ = _ols(xb, y[i])
        boot[b] = _effects(xb, bb, blocks, float(y[i].std(ddof=1)), cat)
    se = np.empty(len(blocks))
    pval = np.empty(len(blocks))
    low, high = _percentile(boot, confidence)
    q = stats.t.ppf(0.5 + confidence / 2, df)
    for j, b in enumerate(blocks):
        if cat[j]:
            bj, vj = beta[b], cov[b, b]
            wald = float(bj @ np.linalg.pinv(vj) @ bj)
            pval[j] = stats.f.sf(wald / len(bj), len(bj), df)
            se[j] = boot[:, j].std(ddof=1)
        else:  # floor: a noise-free linear model leaves rounding errors of ~1e-16
            se[j] = max(float(np.sqrt(cov[b, b][0, 0]) * sd_x[b][0] / sd_y), SE_FLOOR)
            pval[j] = 2 * stats.t.sf(abs(eff[j]) / se[j], df) if se[j] > 0 else float(eff[j] == 0)
            low[j], high[j] = eff[j] - q * se[j], eff[j] + q * se[j]
    rk_lo, rk_hi = _percentile(ranks(np.abs(boot)), confidence)
    r2 = 1 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    ceiling = 1 - noise_var / sd_y ** 2 if np.isfinite(noise_var) else float("nan")
    names = list(dict.fromkeys(groups))
    g_of = np.array([names.index(g) for g in groups])

    def share(e: np.ndarray) -> np.ndarray:
        tot = (e ** 2).sum()
        return np.array([(e[g_of == k] ** 2).sum() / tot if tot > 0 else 0.0 for k in range(len(names))])

    s_boot = np.array([share(e) for e in boot])
    s_lo, s_hi = _percentile(s_boot, confidence)
    return {"effects": {"estimate": eff, "se": se, "ci_low": low, "ci_high": high, "p_value": pval,
                        "rank": ranks(np.abs(eff)), "rank_low": rk_lo, "rank_high": rk_hi},
            "shares": {g: (float(v), float(lo), float(hi))
                       for g, v, lo, hi in zip(names, share(eff), s_lo, s_hi, strict=True)},
            "r2": r2, "ceiling": ceiling, "df": df}


def emulator(u: np.ndarray, y: np.ndarray, noise_var: float, *, points: int, seed: int,
             names: list[str], sobol_n: int = 1024) -> dict[str, Any]:
    """A Gaussian-process emulator (scikit-learn) with the seed noise as a fixed nugget, its Q^2
    on held-out runs, and first and total Sobol indices computed on its mean.

    Fits on at most ``points`` of the first 80% of rows; Q^2 = 1 - SSE / SST on the last 20%
    (held-out runs carry seed noise, so Q^2 cannot exceed the noise ceiling). Indices: Saltelli
    (2010) and Jansen estimators on a scrambled design of ``sobol_n`` base samples; their
    intervals come from SALib's bootstrap over that design (emulator uncertainty not included).
    """
    from SALib.analyze import sobol as sobol_analyze
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    n, d = u.shape
    cut = int(n * 0.8)
    train = np.arange(min(cut, points))
    test = np.arange(cut, n)
    mean, sd = float(y[train].mean()), float(y[train].std() or 1.0)
    z = (y - mean) / sd
    kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.ones(d), (1e-2, 1e3))
              + WhiteKernel(max(noise_var / sd ** 2, 1e-8), "fixed"))
    gp = GaussianProcessRegressor(kernel, normalize_y=False, random_state=seed, n_restarts_optimizer=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp.fit(u[train], z[train])
    pred = gp.predict(u[test]) if len(test) else np.array([])
    q2 = 1 - float(((z[test] - pred) ** 2).sum() / ((z[test] - z[test].mean()) ** 2).sum()) if len(test) > 2 else float("nan")
    prob = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    grid = sobol_design(prob, sobol_n, False, seed)
    yy = gp.predict(grid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sobol_analyze.analyze(prob, yy, calc_second_order=False, num_resamples=200, seed=seed)
    return {"q2": q2, "train": len(train), "test": len(test), "kernel": str(gp.kernel_),
            "S1": np.asarray(res["S1"]), "S1_conf": np.asarray(res["S1_conf"]),
            "ST": np.asarray(res["ST"]), "ST_conf": np.asarray(res["ST_conf"])}


def heterogeneity(est: np.ndarray, se: np.ndarray) -> tuple[float, float, float]:
    """Does an effect differ between independent cells? Cochran's Q = sum w (b - b_w)^2, w =
    1 / se^2, chi-squared on cells - 1 degrees of freedom, and the DerSimonian-Laird
    between-cell sd tau = sqrt(max(0, (Q - df) / (sum w - sum w^2 / sum w)))
    (DerSimonian & Laird 1986, Control. Clin. Trials 7, 177-188). NaN for fewer than two cells."""
    ok = np.isfinite(est) & np.isfinite(se) & (se > 0)
    b, w = est[ok], 1 / se[ok] ** 2
    if len(b) < 2:
        return float("nan"), float("nan"), float("nan")
    mean = (w * b).sum() / w.sum()
    q = float((w * (b - mean) ** 2).sum())
    df = len(b) - 1
    tau2 = max(0.0, (q - df) / (w.sum() - (w ** 2).sum() / w.sum()))
    return q, float(stats.chi2.sf(q, df)), float(np.sqrt(tau2))


# --------------------------------------------------------------------------------------
# Stage 2: Sobol on independent scrambles
# --------------------------------------------------------------------------------------


def _blocks(y: np.ndarray, d: int, second: bool) -> tuple[np.ndarray, ...]:
    """A, B, AB (n, d) and BA blocks of an output laid out like SALib's Sobol design."""
    step = 2 * d + 2 if second else d + 2
    blocks = y.reshape(-1, step, *y.shape[1:])
    return (blocks[:, 0], blocks[:, step - 1], blocks[:, 1: d + 1],
            blocks[:, d + 1: 2 * d + 1] if second else None)


def sobol_scramble(y: np.ndarray, d: int, second: bool, dummy: int | None) -> dict[str, Any]:
    """The sums behind S1, ST (and S2) from one scrambled design, before the ratio.

    ``y`` is ``(rows, R)``. ``noise`` is the noise variance of a point mean: the within-point
    variance / R when R >= 2, else the dummy's Jansen numerator (column ``dummy``), else 0.
    """
    r = y.shape[1]
    ybar = y.mean(axis=1)
    a, b, ab, ba = _blocks(ybar, d, second)
    n_t = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0)
    if r >= 2:
        noise = noise_variance(y)[0] / r
    else:
        noise = float(n_t[dummy]) if dummy is not None else 0.0
    out = {"V": float(np.var(np.concatenate([a, b]))), "NT": n_t,  # ddof 0: QMC means are exact
           "N1": np.mean(b[:, None] * (ab - a[:, None]), axis=0), "noise": noise}
    if second:
        j, k = np.triu_indices(d, 1)
        out["N2"] = np.mean(ba[:, j] * ab[:, k] - a[:, None] * b[:, None], axis=0)
    return out


def _sobol_ratios(parts: list[dict[str, Any]], second: bool) -> dict[str, np.ndarray]:
    """Noise-corrected indices from sums pooled over scrambles (ratio of means)."""
    v = np.mean([p["V"] for p in parts])
    noise = np.mean([p["noise"] for p in parts])
    vf = v - noise if v - noise > 0 else v
    s1 = np.mean([p["N1"] for p in parts], axis=0) / vf
    out = {"S1": s1, "ST": (np.mean([p["NT"] for p in parts], axis=0) - noise) / vf,
           "noise_part": np.array([noise / v if v > 0 else 0.0])}
    if second:
        d = len(s1)
        j, k = np.triu_indices(d, 1)
        out["S2"] = np.mean([p["N2"] for p in parts], axis=0) / vf - s1[j] - s1[k]
    return out


def across_scrambles(parts: list[dict[str, Any]], second: bool, confidence: float, seed: int = 0
                     ) -> dict[str, dict[str, np.ndarray]]:
    """Indices pooled over K independent scrambles with jackknife (leave one scramble out)
    standard errors, Student-t intervals and p-values on K - 1 degrees of freedom; ST ranks
    with percentile rank intervals from resampling the scrambles."""
    k = len(parts)
    full = _sobol_ratios(parts, second)
    loo = [_sobol_ratios(parts[:i] + parts[i + 1:], second) for i in range(k)]
    out = {}
    for key, est in full.items():
        th = np.array([x[key] for x in loo])
        se = np.sqrt((k - 1) / k * ((th - th.mean(axis=0)) ** 2).sum(axis=0))
        out[key] = _t_rows(est, se, k - 1, confidence)
    rng = np.random.default_rng(seed)
    boot = np.array([_sobol_ratios([parts[i] for i in rng.integers(k, size=k)], False)["ST"] for _ in range(300)])
    out["ST"]["rank"] = ranks(full["ST"])
    out["ST"]["rank_low"], out["ST"]["rank_high"] = _percentile(ranks(boot), confidence)
    return out


# --------------------------------------------------------------------------------------
# Morris
# --------------------------------------------------------------------------------------


def elementary_effects(u: np.ndarray, ybar: np.ndarray, d: int) -> np.ndarray:
    """Elementary effects dy / du (unit scale), shape ``(trajectories, d)``."""
    steps = d + 1
    t = u.shape[0] // steps
    ee = np.zeros((t, d))
    for k in range(t):
        block = slice(k * steps, (k + 1) * steps)
        du = np.diff(u[block], axis=0)
        dy = np.diff(ybar[block])
        j = np.argmax(np.abs(du), axis=1)
        ee[k, j] = dy / du[np.arange(d), j]
    return ee


def morris(u: np.ndarray, ybar: np.ndarray, d: int, *, confidence: float, resamples: int, seed: int
           ) -> dict[str, dict[str, np.ndarray]]:
    """Signed mu with t intervals and p-values over trajectories; mu* and sigma with
    bootstrap intervals over trajectories; rank intervals by mu*."""
    ee = elementary_effects(u, ybar, d)
    t = ee.shape[0]
    mu = _t_rows(ee.mean(0), ee.std(0, ddof=1) / np.sqrt(t), t - 1, confidence)
    rng = np.random.default_rng(seed)
    boot = np.empty((resamples, 2, d))
    for b in range(resamples):
        e = ee[rng.integers(t, size=t)]
        boot[b] = np.abs(e).mean(0), e.std(0, ddof=1)
    star = np.abs(ee).mean(0)
    lo, hi = _percentile(boot[:, 0], confidence)
    rk_lo, rk_hi = _percentile(ranks(boot[:, 0]), confidence)
    slo, shi = _percentile(boot[:, 1], confidence)
    return {"mu": mu,
            "mu_star": {"estimate": star, "ci_low": lo, "ci_high": hi, "rank": ranks(star),
                        "rank_low": rk_lo, "rank_high": rk_hi},
            "sigma": {"estimate": ee.std(0, ddof=1), "ci_low": slo, "ci_high": shi}}


# --------------------------------------------------------------------------------------
# Stage 2 sized for a precision target
# --------------------------------------------------------------------------------------


def jansen_moments(y: np.ndarray, d: int, second: bool) -> dict[str, np.ndarray | float]:
    """From a pilot Saltelli design run once per point (rows of K scrambles, ``y`` (rows,)):
    per factor the first two moments of the squared differences D = (y_A - y_AB)^2 behind the
    Jansen total numerator, and the variance of the outputs."""
    a, b, ab, _ = _blocks(y, d, second)
    sq = (a[:, None] - ab) ** 2
    return {"m1": sq.mean(axis=0), "m2": (sq ** 2).mean(axis=0), "var": float(np.var(np.concatenate([a, b]), ddof=1)),
            "rows": sq.shape[0]}


def total_index_half_width(mom: dict, s2: float, n: int, r: int, k: int, confidence: float,
                           has_dummy: bool) -> np.ndarray:
    """Predicted half-width of each noise-corrected total index on ``k`` scrambles of ``n``
    base samples, each point run ``r`` times, from pilot moments (R = 1) and the seed variance
    ``s2`` of one run.

    With D = (Df + De)^2, De the noise difference of two point means (variance t = 2 s2 / R),
    E[Df^2] = m1 - t1 and E[Df^4] = m2 - 6 E[Df^2] t1 - 3 t1^2 (t1 = 2 s2, Gaussian noise);
    the Jansen numerator averages D / 2 over n k rows, so
    Var = (Var(Df^2) + 4 E[Df^2] t + 2 t^2) / (4 n k); with R = 1 the dummy's numerator, which
    estimates the noise, adds 2 t^2 / (4 n k). Divided by the noise-free variance Vf = var - s2,
    times Student's t on k - 1 degrees of freedom. The Monte Carlo rate is used: scrambling
    lowers the design's part (the Var(Df^2) term) for smooth functions, so the prediction is
    an upper bound for that part and exact for the noise's."""
    t1 = 2 * s2
    e2 = np.maximum(mom["m1"] - t1, 0.0)
    e4 = np.maximum(mom["m2"] - 6 * e2 * t1 - 3 * t1 ** 2, e2 ** 2)
    t = t1 / r
    var = (e4 - e2 ** 2 + 4 * e2 * t + 2 * t ** 2 + (2 * t ** 2 if r == 1 and has_dummy else 0.0)) / (4 * n * k)
    vf = max(mom["var"] - s2, 1e-12)
    return stats.t.ppf(0.5 + confidence / 2, k - 1) * np.sqrt(var) / vf


def size_for_precision(moments: dict[str, dict], s2: dict[str, float], target: float, k: int, rows_per_n: int,
                       confidence: float, has_dummy: bool, dummy: int | None, max_runs: int,
                       max_r: int = 64) -> dict[str, Any]:
    """The cheapest (n, R) on ``k`` scrambles whose predicted half-width of every total index
    (the dummy aside) on every outcome is at most ``target``: for each R, the smallest power of
    two n >= 4 reaching it; the design with the fewest runs (n * rows_per_n * R * k) wins, the
    smaller R on a tie. ``None`` for n when no design under ``max_runs`` reaches it."""
    best: dict[str, Any] = {"n": None, "closest": None}
    for r in range(1, max_r + 1):
        n = 4
        while n * rows_per_n * r * k <= max_runs:
            worst, where = 0.0, ("", -1)
            for o, mom in moments.items():
                hw = total_index_half_width(mom, s2[o], n, r, k, confidence, has_dummy)
                if dummy is not None:
                    hw[dummy] = 0.0
                j = int(np.argmax(hw))
                if hw[j] > worst:
                    worst, where = float(hw[j]), (o, j)
            if worst <= target:
                runs = n * rows_per_n * r * k
                if best["n"] is None or runs < best["runs"]:
                    best = {"n": n, "r": r, "runs": runs, "half_width": worst, "binding": where}
                break
            if best["n"] is None and (best["closest"] is None or worst < best["closest"][0]):
                best["closest"] = (worst, n, r, n * rows_per_n * r * k)
            n *= 2
    return best
