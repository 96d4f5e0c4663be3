"""SALib designs and analyses of a stochastic model, with bootstrap intervals.

Indices are computed by SALib (``SALib.analyze.morris``, ``SALib.analyze.sobol``) on the
output averaged over replications, rows in design order. Their intervals come from our own
bootstrap, which resamples *both* design rows (Morris trajectories, Sobol base samples) and
replications, so the interval carries the seed noise as well as the finite design
(ten Broeke et al. 2016). SALib's own ``*_conf`` resamples rows only; it is kept as a column.

Intervals are percentile intervals. Resampling R replications with replacement adds seed
noise (the resampled mean has about (2R - 1) / R times the noise variance of the mean), so
intervals of indices that grow with noise lean upward, the dummy's most: the noise floor
(the dummy's upper bound) is conservative, and a factor must clear it to be called distinct
from noise.

References
----------
Morris, M. D. (1991). Technometrics 33(2), 161-174. https://doi.org/10.1080/00401706.1991.10484804
Campolongo, F., Cariboni, J. & Saltelli, A. (2007). An effective screening design for
sensitivity analysis of large models. Environ. Model. Softw. 22, 1509-1518.
https://doi.org/10.1016/j.envsoft.2006.10.004
Sobol, I. M. (2001). Math. Comput. Simul. 55, 271-280. https://doi.org/10.1016/S0378-4754(00)00270-6
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. Comput. Phys. Commun. 181, 259-270.
https://doi.org/10.1016/j.cpc.2009.09.018
Herman, J. & Usher, W. (2017). SALib: An open-source Python library for sensitivity
analysis. JOSS 2(9), 97. https://doi.org/10.21105/joss.00097
ten Broeke, G., van Voorn, G. & Ligtenberg, A. (2016). Which sensitivity analysis method
should I use for my agent-based model? JASSS 19(1), 5. https://doi.org/10.18564/jasss.2857
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.analyze.sobol import first_order, second_order, total_order
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

# --------------------------------------------------------------------------------------
# Designs (unit hypercube; Factor.value maps a coordinate to a parameter value)
# --------------------------------------------------------------------------------------

def morris_design(problem: dict, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """Morris trajectories on a ``levels``-grid: ``trajectories * (D + 1)`` rows."""
    return morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)


def sobol_design(problem: dict, n: int, second_order: bool, seed: int) -> np.ndarray:
    """Saltelli's cross-sampled Sobol' design, ``n * (2D + 2)`` or ``n * (D + 2)`` rows,
    ``D`` counting groups when the problem has them."""
    return sobol_sample.sample(problem, n, calc_second_order=second_order, seed=seed)


def reachable_levels(levels_count: int, grid_levels: int) -> list[int]:
    """Category indices a Morris grid of ``grid_levels`` values can reach."""
    grid = np.linspace(0.0, 1.0, grid_levels)
    return sorted({min(int(np.floor(u * levels_count)), levels_count - 1) for u in grid})


# --------------------------------------------------------------------------------------
# Morris
# --------------------------------------------------------------------------------------

def elementary_effects(u: np.ndarray, y: np.ndarray, num_vars: int) -> np.ndarray:
    """Elementary effects per replication, shape ``(R, trajectories, D)``.

    ``u`` is the design (rows in design order), ``y`` the outputs ``(rows, R)``. Each step of
    a trajectory moves exactly one factor; EE = dy / du on the unit scale, as in SALib.
    """
    steps = num_vars + 1
    t = u.shape[0] // steps
    ee = np.zeros((y.shape[1], t, num_vars))
    for k in range(t):
        block = slice(k * steps, (k + 1) * steps)
        du = np.diff(u[block], axis=0)
        dy = np.diff(y[block], axis=0)
        j = np.argmax(np.abs(du), axis=1)
        ee[:, k, j] = (dy / du[np.arange(num_vars), j][:, None]).T
    return ee


def _interval(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1 - confidence) / 2
    return np.quantile(samples, alpha, axis=0), np.quantile(samples, 1 - alpha, axis=0)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest, along the last axis."""
    order = np.argsort(-values, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1), axis=-1)
    return ranks


def analyse_morris(problem: dict, u: np.ndarray, y: np.ndarray, *, levels: int, resamples: int,
                   confidence: float, seed: int, trajectories: int | None = None) -> pd.DataFrame:
    """mu*, mu and sigma per factor with bootstrap intervals over trajectories and replications.

    Parameters
    ----------
    y : ndarray, shape (rows, R)
        One column per replication, rows in design order.
    trajectories : int, optional
        Use only the first trajectories (convergence plots).

    Returns
    -------
    DataFrame
        One row per factor: ``mu_star``, ``mu``, ``sigma`` (SALib, on the replication mean),
        ``*_low``/``*_high`` bootstrap bounds, ``mu_star_conf`` (SALib, rows only), and the
        bootstrap interval of the factor's rank by mu*.
    """
    d = problem["num_vars"]
    if trajectories is not None:
        u, y = u[: trajectories * (d + 1)], y[: trajectories * (d + 1)]
    ybar = y.mean(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = morris_analyze.analyze(problem, u, ybar, num_levels=levels, num_resamples=100,
                                     conf_level=confidence, seed=seed + 1)
    ee = elementary_effects(u, y, d)
    r, t = ee.shape[0], ee.shape[1]
    rng = np.random.default_rng(seed)
    boot = np.empty((resamples, 3, d))
    for b in range(resamples):
        e = ee[rng.integers(r, size=r)].mean(axis=0)[rng.integers(t, size=t)]
        boot[b] = np.abs(e).mean(0), e.mean(0), e.std(0, ddof=1)
    out = pd.DataFrame({"factor": problem["names"], "mu_star": res["mu_star"], "mu": res["mu"],
                        "sigma": res["sigma"], "mu_star_conf": res["mu_star_conf"]})
    for i, name in enumerate(("mu_star", "mu", "sigma")):
        out[f"{name}_low"], out[f"{name}_high"] = _interval(boot[:, i], confidence)
    out["rank_low"], out["rank_high"] = _interval(_ranks(boot[:, 0]), confidence)
    out["rank"] = _ranks(np.asarray(res["mu_star"], dtype=float))
    return out


# --------------------------------------------------------------------------------------
# Sobol
# --------------------------------------------------------------------------------------

def _split(y: np.ndarray, d: int, second: bool) -> tuple[np.ndarray, ...]:
    """A, B, AB, BA blocks of an output laid out like SALib's Sobol design (rows first)."""
    step = 2 * d + 2 if second else d + 2
    n = y.shape[0] // step
    blocks = y[: n * step].reshape(n, step, *y.shape[1:])
    a, b = blocks[:, 0], blocks[:, step - 1]
    ab = blocks[:, 1: d + 1]
    ba = blocks[:, d + 1: 2 * d + 1] if second else None
    return a, b, ab, ba


def sobol_estimates(ybar: np.ndarray, d: int, second: bool, rows: np.ndarray | None = None,
                    pairs: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """S1, ST (and S2 for ``pairs``) from SALib's estimators on the rows ``rows``."""
    y = (ybar - ybar.mean()) / (ybar.std() or 1.0)
    a, b, ab, ba = _split(y, d, second)
    if rows is not None:
        a, b, ab = a[rows], b[rows], ab[rows]
        ba = ba[rows] if ba is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aa, bb = np.broadcast_to(a[:, None], ab.shape), np.broadcast_to(b[:, None], ab.shape)
        out = {"S1": first_order(aa, ab, bb), "ST": total_order(aa, ab, bb)}
        if second and pairs is not None and len(pairs[0]):
            j, k = pairs
            shape = (a.shape[0], len(j))
            out["S2"] = second_order(np.broadcast_to(a[:, None], shape), ab[:, j], ab[:, k], ba[:, j],
                                     np.broadcast_to(b[:, None], shape))
    return out


def analyse_sobol(problem: dict, y: np.ndarray, *, second: bool, resamples: int, confidence: float,
                  seed: int, n_rows: int | None = None, pairs: bool = True
                  ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First-order and total indices with bootstrap intervals; all second-order pairs.

    Parameters
    ----------
    problem : dict
        SALib problem; with ``groups`` the indices are per group (closed group indices).
    y : ndarray, shape (rows, R)
        Outputs per replication in design order.
    n_rows : int, optional
        Use only the first ``n_rows`` base samples (convergence plots).
    pairs : bool
        Bootstrap the second-order indices too (when the design has them).

    Returns
    -------
    (DataFrame, DataFrame or None)
        Per factor (or group): ``S1``, ``ST`` (SALib on the replication mean), bootstrap
        ``*_low``/``*_high``, SALib's ``*_conf`` and rank intervals by ST; and per pair
        ``S2`` with intervals when ``second``.
    """
    names = list(dict.fromkeys(problem["groups"])) if problem.get("groups") else list(problem["names"])
    d = len(names)
    step = 2 * d + 2 if second else d + 2
    if n_rows is not None:
        y = y[: n_rows * step]
    n = y.shape[0] // step
    ybar = y.mean(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sobol_analyze.analyze(problem, ybar, calc_second_order=second, num_resamples=100,
                                    conf_level=confidence, seed=seed + 1)
    with_pairs = second and pairs
    pairs_idx = np.triu_indices(d, 1) if with_pairs else None
    rng = np.random.default_rng(seed)
    r = y.shape[1]
    keys = ("S1", "ST") + (("S2",) if with_pairs else ())
    boot: dict[str, list] = {k: [] for k in keys}
    for _ in range(resamples):
        yb = y[:, rng.integers(r, size=r)].mean(axis=1)
        est = sobol_estimates(yb, d, second, rows=rng.integers(n, size=n), pairs=pairs_idx)
        for k in keys:
            boot[k].append(est[k])
    table = pd.DataFrame({"factor": names, "S1": res["S1"], "ST": res["ST"],
                          "S1_conf": res["S1_conf"], "ST_conf": res["ST_conf"]})
    for k in ("S1", "ST"):
        table[f"{k}_low"], table[f"{k}_high"] = _interval(np.array(boot[k]), confidence)
    table["rank_low"], table["rank_high"] = _interval(_ranks(np.array(boot["ST"])), confidence)
    table["rank"] = _ranks(np.asarray(res["ST"], dtype=float))
    s2 = None
    if with_pairs:
        j, k = pairs_idx
        lo, hi = _interval(np.array(boot["S2"]), confidence)
        s2 = pd.DataFrame({"factor": [names[i] for i in j], "factor2": [names[i] for i in k],
                           "S2": np.asarray(res["S2"])[j, k], "S2_conf": np.asarray(res["S2_conf"])[j, k],
                           "S2_low": lo, "S2_high": hi})
    return table, s2


# --------------------------------------------------------------------------------------
# Noise
# --------------------------------------------------------------------------------------

def noise_share(y: np.ndarray) -> dict[str, float]:
    """Seed noise in outputs ``(points, R)``: within-point (seed) variance, variance of the
    replication means across points, and the share of the latter due to seed noise,
    ``(s2_seed / R) / var(mean)``."""
    r = y.shape[1]
    if r < 2:
        return {"seed_var": float("nan"), "mean_var": float(np.var(y.mean(1), ddof=1)), "share": float("nan")}
    seed_var = float(np.mean(np.var(y, axis=1, ddof=1)))
    mean_var = float(np.var(y.mean(axis=1), ddof=1))
    share = (seed_var / r) / mean_var if mean_var > 0 else (0.0 if seed_var == 0 else float("inf"))
    return {"seed_var": seed_var, "mean_var": mean_var, "share": share}


def replications_needed(y: np.ndarray, target: float) -> tuple[int | None, dict[str, float]]:
    """Replications R so that seed noise is below ``target`` of the averaged output's variance.

    From pilot outputs ``(points, P)``: seed variance s2 (pooled within points) and the
    variance of true point means v = var(means) - s2 / P. The averaged output has variance
    v + s2 / R, so the noise share is below ``target`` when R > s2 (1 - target) / (target v).
    Returns ``None`` when v <= 0 (the pilot sees no effect above noise).
    """
    p = y.shape[1]
    stats = noise_share(y)
    s2 = stats["seed_var"]
    v = stats["mean_var"] - s2 / p
    stats["between_var"] = v
    stats["seed_share_single_run"] = s2 / (s2 + v) if s2 + v > 0 else 0.0
    if s2 == 0:
        return 1, stats
    if v <= 0:
        return None, stats
    return int(np.floor(s2 * (1 - target) / (target * v))) + 1, stats
