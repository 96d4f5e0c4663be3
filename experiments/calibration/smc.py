"""ABC-SMC on the unit cube: a population of parameter sets moves from the prior towards the
sets whose simulated patterns lie within a shrinking distance of the observed figures.

The algorithm is that of Toni et al. (2009) with the perturbation kernel of Beaumont et al.
(2009) (a Gaussian with twice the weighted covariance of the previous population) and the
tolerance schedule of Del Moral et al. (2012) and pyabc (a quantile of the previous
population's distances). Summary statistics are scaled by their median absolute deviation
over the prior predictive sample (generation 0) plus their median absolute deviation from
the observed figures, so that no pattern dominates the distance, not even one the model
cannot reach (Prangle 2017; Schälte et al. 2021).

Why not pyabc: its parallel samplers reseed every worker from the operating system
(``np.random.seed()`` in ``pyabc.sampler.multicore_evaluation_parallel.work``) and accept
particles in completion order, so the same seed does not give the same posterior on 1, 2 or
N workers, which this project requires; it also brings redis, sqlalchemy, scikit-learn,
gitpython and ipykernel for about 200 lines of algorithm. Here proposals are drawn in batches
from one seeded generator per (generation, batch), simulated through any executor, and
accepted in proposal order: the posterior depends only on the seed.

Every batch of simulations goes through ``simulate(generation, batch, unit_points)``, which
the caller may cache on disk; a resumed run recomputes only the missing batches and gives
exactly the result of an uninterrupted one.

References
----------
Toni, T., Welch, D., Strelkowa, N., Ipsen, A. & Stumpf, M. P. H. (2009). J. R. Soc.
Interface 6, 187-202. https://doi.org/10.1098/rsif.2008.0172
Beaumont, M. A., Cornuet, J.-M., Marin, J.-M. & Robert, C. P. (2009). Biometrika 96(4),
983-990. https://doi.org/10.1093/biomet/asp052
Del Moral, P., Doucet, A. & Jasra, A. (2012). Stat. Comput. 22, 1009-1020.
https://doi.org/10.1007/s11222-011-9271-y
Prangle, D. (2017). Adapting the ABC distance function. Bayesian Analysis 12(1), 289-309.
https://doi.org/10.1214/16-BA1002
Schälte, Y., Alamoudi, E. & Hasenauer, J. (2021). Robust adaptive distance functions for
approximate Bayesian inference on outlier-corrupted data. bioRxiv.
https://doi.org/10.1101/2021.07.29.454327
Klinger, E., Rickert, D. & Hasenauer, J. (2018). pyABC. Bioinformatics 34(20), 3591-3593.
https://doi.org/10.1093/bioinformatics/bty361
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: simulate(generation, batch, points in [0, 1]^d of shape (n, d)) -> statistics (n, k)
Simulate = Callable[[int, int, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Settings:
    """Sizes and stopping rules of one ABC-SMC run."""

    population: int = 200          # accepted particles per generation
    generations: int = 6           # most generations, the prior sample (generation 0) included
    quantile: float = 0.5          # tolerance = this weighted quantile of the last distances
    batch: int = 200               # proposals simulated together
    min_acceptance: float = 0.02   # stop when a generation accepts fewer of its proposals
    max_simulations: int = 50_000  # stop before a generation would exceed this many
    seed: int = 2026
    refresh: int = 0               # blocks of fresh seeds re-weighting the last population (0: none)
    final_generations: int = 0     # the last generations whose patterns take more seeds ...
    final_replications: int = 0    # ... that many (0: as the others; the caller's simulate uses it)


@dataclass
class Generation:
    """One accepted population: unit points, weights, distances, statistics and its cost."""

    t: int
    epsilon: float
    points: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    stats: np.ndarray
    proposals: int

    @property
    def acceptance(self) -> float:
        return len(self.points) / self.proposals if self.proposals else 0.0

    @property
    def ess(self) -> float:
        """Effective sample size, 1 / sum(w^2) for normalised weights."""
        return float(1.0 / np.sum(self.weights ** 2))


@dataclass
class Result:
    generations: list[Generation]
    scales: np.ndarray
    stopped: str
    simulations: int = 0
    history: list[dict] = field(default_factory=list)
    refreshed: dict | None = None  # the re-weighting on fresh seeds (:func:`refresh`), if any

    @property
    def last(self) -> Generation:
        return self.generations[-1]


def mad_scales(stats: np.ndarray, observed: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Scale of each pattern over the prior predictive sample: its median absolute deviation
    plus its median absolute deviation from the observed figure (Schälte et al. 2021's
    "PCMAD"), at least ``floor``. The first term alone lets a pattern the model cannot reach
    dominate the distance; the second divides each pattern's misfit by its typical misfit."""
    med = np.nanmedian(stats, axis=0)  # NaN: a pattern undefined in that run (simulation/outcomes.py)
    mad = np.nanmedian(np.abs(stats - med), axis=0)
    mado = np.nanmedian(np.abs(stats - observed), axis=0)
    return np.fmax(mad + mado, floor)


def distances(stats: np.ndarray, observed: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Euclidean distance of scaled deviations from the observed figures; infinite for a run
    where a pattern is undefined (NaN: nothing to average, so it cannot match the figure)."""
    d = np.sqrt(np.sum(((stats - observed) / scales) ** 2, axis=1))
    return np.where(np.isnan(d), np.inf, d)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order])
    cw /= cw[-1]
    return float(x[order][np.searchsorted(cw, q)])


def kernel_cov(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Twice the weighted covariance (Beaumont et al. 2009), kept positive definite."""
    d = points.shape[1]
    cov = 2.0 * np.atleast_2d(np.cov(points.T, aweights=weights, ddof=0))
    return cov + 1e-10 * np.eye(d)


def _propose(prev: Generation | None, n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` proposals: the prior (uniform on the unit cube) or a perturbed ancestor, redrawn
    until inside the cube."""
    if prev is None:
        return rng.random((n, d))
    cov = kernel_cov(prev.points, prev.weights)
    chol = np.linalg.cholesky(cov)
    out = np.empty((n, d))
    filled = 0
    while filled < n:
        m = 2 * (n - filled)
        anc = rng.choice(len(prev.points), size=m, p=prev.weights)
        cand = prev.points[anc] + rng.standard_normal((m, d)) @ chol.T
        ok = cand[np.all((cand >= 0.0) & (cand <= 1.0), axis=1)][: n - filled]
        out[filled:filled + len(ok)] = ok
        filled += len(ok)
    return out


def _weights(points: np.ndarray, prev: Generation | None) -> np.ndarray:
    """Importance weights: prior / mixture of kernels around the previous population (the
    prior is uniform on the cube, hence constant; the kernel's truncation is ignored, as in
    pyabc)."""
    if prev is None:
        w = np.ones(len(points))
    else:
        cov = kernel_cov(prev.points, prev.weights)
        inv = np.linalg.inv(cov)
        diff = points[:, None, :] - prev.points[None, :, :]
        q = np.einsum("ijk,kl,ijl->ij", diff, inv, diff)
        w = 1.0 / (np.exp(-0.5 * q) @ prev.weights)
    return w / w.sum()


def run_smc(simulate: Simulate, d: int, observed: np.ndarray, floor: np.ndarray,
            settings: Settings, on_generation: Callable[[Generation, Result], None] | None = None
            ) -> Result:
    """ABC-SMC over ``d`` unit coordinates; statistics are compared with ``observed``.

    Generation 0 is the first ``population`` prior draws, all accepted; their spread sets the
    scales of the distance. Each later generation takes as tolerance the ``quantile`` of the
    previous distances and accepts, in proposal order, the first ``population`` proposals
    within it. The run stops after ``generations`` generations, when a generation accepts
    fewer than ``min_acceptance`` of its proposals, or when the next would exceed
    ``max_simulations``; the last complete generation is the posterior.
    """
    s = settings
    result: Result | None = None
    prev: Generation | None = None
    used = 0
    for t in range(s.generations):
        eps = np.inf if prev is None else weighted_quantile(prev.distances, prev.weights, s.quantile)
        acc_pts, acc_stats, acc_d = [], [], []
        proposals = 0
        b = 0
        stop = None
        while len(acc_pts) < s.population:
            if t > 0 and used + s.batch > s.max_simulations:
                stop = f"the simulation budget ({s.max_simulations}) ran out in generation {t}"
                break
            if t > 0 and proposals >= s.batch and len(acc_pts) < s.min_acceptance * proposals:
                stop = (f"generation {t} accepted {len(acc_pts)} of {proposals} proposals, under "
                        f"the minimum acceptance {s.min_acceptance:g}")
                break
            rng = np.random.default_rng([s.seed, t, b])
            n = s.batch if t > 0 else s.population
            pts = _propose(prev, n, d, rng)
            st = np.asarray(simulate(t, b, pts), dtype=float)
            used += n
            if t == 0:
                scales = mad_scales(st, observed, floor)
                result = Result([], scales, "")
            dist = distances(st, observed, result.scales)
            for i in range(n):
                proposals += 1
                if dist[i] <= eps:
                    acc_pts.append(pts[i])
                    acc_stats.append(st[i])
                    acc_d.append(dist[i])
                    if len(acc_pts) == s.population:
                        break
            b += 1
        if stop is not None:
            result.stopped = stop
            result.simulations = used
            break
        pts = np.array(acc_pts)
        gen = Generation(t, float(eps), pts, _weights(pts, prev), np.array(acc_d),
                         np.array(acc_stats), proposals)
        result.generations.append(gen)
        result.simulations = used
        result.history.append({"generation": t, "epsilon": gen.epsilon, "proposals": proposals,
                               "accepted": len(pts), "acceptance_rate": gen.acceptance,
                               "ess": gen.ess, "simulations_so_far": used})
        if on_generation is not None:
            on_generation(gen, result)
        prev = gen
    if not result.stopped:
        result.stopped = f"the last generation ({s.generations - 1}) was reached"
    return result


def refresh(result: Result, simulate_block: Callable[[int, np.ndarray], np.ndarray],
            observed: np.ndarray, blocks: int) -> Result:
    """Re-weight the last population on fresh seeds, against lucky acceptances.

    A particle is accepted when its pattern, the mean over a few seeds, falls within the
    tolerance once; where the model reaches the figures only by chance, the accepted particles
    are those whose seeds were lucky (measured on the last calibration: accepted particles had
    a top-1 % share of 0.578 on their own seeds and 0.523 on new ones). Each particle is run on
    ``blocks`` fresh sets of seeds (``simulate_block(b, points)``, patterns by row) and its weight
    multiplied by the share of them within the same tolerance, an unbiased estimate of its
    probability of acceptance ``p``. The re-weighted population targets ``prior * p**2``: the ABC
    posterior of "within the tolerance on two independent sets of seeds", which asks the
    parameters to reach the figures as a rule rather than once. The SMC weights and the hits
    are kept (``result.refreshed``). When no particle hits, the SMC weights stay and it says so."""
    last = result.last
    if blocks <= 0:
        return result
    hits = np.zeros(len(last.points))
    for b in range(blocks):
        stats = np.asarray(simulate_block(b, last.points), dtype=float)
        hits += distances(stats, observed, result.scales) <= last.epsilon
    w = last.weights * hits
    ok = w.sum() > 0
    new = Generation(last.t, last.epsilon, last.points, w / w.sum() if ok else last.weights,
                     last.distances, last.stats, last.proposals)
    result.refreshed = {"blocks": blocks, "hits": hits, "weights_smc": last.weights,
                        "hit_share": float(np.sum(last.weights * hits) / blocks), "ess_smc": last.ess,
                        "ess": new.ess, "applied": bool(ok)}
    result.generations[-1] = new
    result.simulations += blocks * len(last.points)
    return result
