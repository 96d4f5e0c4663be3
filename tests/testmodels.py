"""Models with known sensitivity answers, run through the same pipeline as the simulation.

A sensitivity machinery is trusted only once it recovers known answers (SALib pins its own
tests on Ishigami the same way). Each model takes the factor values by name and a seed, and
returns a dict of outcomes, like :func:`simulation.run`'s summary. They are module-level so
that local pools and Dask workers import them by name (``testmodels``; the tests folder is on
the path under pytest, and the Dask test puts it on the workers' PYTHONPATH).

References
----------
Ishigami, T. & Homma, T. (1990). An importance quantification technique in uncertainty
analysis for computer models. ISUMA '90. https://doi.org/10.1109/ISUMA.1990.151285
Sobol, I. M. (2001). Global sensitivity indices for nonlinear mathematical models and their
Monte Carlo estimates. Mathematics and Computers in Simulation 55, 271-280.
https://doi.org/10.1016/S0378-4754(00)00270-6
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174. https://doi.org/10.1080/00401706.1991.10484804
"""

from __future__ import annotations

import math

import numpy as np

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1


def ishigami(x: dict[str, float], seed: int) -> dict[str, float]:
    """Ishigami function on x1, x2, x3 in [-pi, pi]; deterministic (the seed is ignored)."""
    x1, x2, x3 = x["x1"], x["x2"], x["x3"]
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3 ** 4 * math.sin(x1)
    return {"y": y}


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, dict[str, float]]:
    """Analytic first-order and total Sobol indices of the Ishigami function."""
    v1 = 0.5 * (1 + b * math.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": {"x1": v1 / v, "x2": v2 / v, "x3": 0.0},
            "ST": {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v}}


#: Noise of :func:`ishigami_noisy`: Gaussian, drawn from the run's seed.
ISHIGAMI_NOISE_SD = 1.0


def ishigami_variance(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> float:
    """Variance of the Ishigami function over its input box."""
    return 0.5 * (1 + b * math.pi ** 4 / 5) ** 2 + a ** 2 / 8 + b ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)


def ishigami_noisy(x: dict[str, float], seed: int) -> dict[str, float]:
    """Ishigami plus N(0, ISHIGAMI_NOISE_SD) noise from the seed: a stochastic model whose
    noise-free indices and noise variance are known."""
    noise = float(np.random.default_rng(seed).normal(0.0, ISHIGAMI_NOISE_SD))
    return {"y": ishigami(x, seed)["y"] + noise}


#: The Sobol G-function's coefficients: small a = important factor (Saltelli & Sobol 1995).
G_A = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0)


def g_function(x: dict[str, float], seed: int) -> dict[str, float]:
    """Sobol's G-function on g1..g6 in [0, 1]: prod (|4 x - 2| + a) / (1 + a); deterministic."""
    y = 1.0
    for i, a in enumerate(G_A, 1):
        y *= (abs(4 * x[f"g{i}"] - 2) + a) / (1 + a)
    return {"y": y}


def g_indices() -> dict[str, dict[str, float]]:
    """Analytic first-order and total indices of :func:`g_function`."""
    v = [1 / (3 * (1 + a) ** 2) for a in G_A]
    total = math.prod(1 + vi for vi in v) - 1
    return {"S1": {f"g{i}": vi / total for i, vi in enumerate(v, 1)},
            "ST": {f"g{i}": vi * math.prod(1 + vj for j, vj in enumerate(v) if j != i - 1) / total
                   for i, vi in enumerate(v, 1)}}


#: Coefficients of :func:`additive` on [0, 1]: indices c_i^2 / sum(c_j^2), S1 = ST.
ADDITIVE = {"a1": 1.0, "a2": 2.0, "a3": 3.0, "a4": 0.0}


def additive(x: dict[str, float], seed: int) -> dict[str, float]:
    """An additive linear function (a4 inert); deterministic."""
    return {"y": sum(c * x[k] for k, c in ADDITIVE.items())}


#: The inert factors of :func:`morris_inert` (read by nothing).
INERT = tuple(f"z{i:02d}" for i in range(1, 21))
INERT_NOISE_SD = 0.2


def morris_inert(x: dict[str, float], seed: int) -> dict[str, float]:
    """A non-linear function of a, b, c on [0, 1] plus seeded noise; 20 inert factors z01..z20.

    Known answers: the inert factors have no effect at all; a (slope 4 + 2c, mean 5), b
    (quadratic, mean slope 3) and c (slope 2a, mean 1) have signed mean effects > 0.
    """
    noise = float(np.random.default_rng(seed).normal(0.0, INERT_NOISE_SD))
    return {"y": 4 * x["a"] + 3 * x["b"] ** 2 + 2 * x["a"] * x["c"] + noise}


def linear_power(x: dict[str, float], seed: int) -> dict[str, float]:
    """y = x1 + N(0, 1) with x2 inert: the width of x1's range sets the effect's size."""
    return {"y": x["x1"] + float(np.random.default_rng(seed).normal(0.0, 1.0))}


#: Coefficients and noise of :func:`noisy_linear`: y = sum(c_i x_i) + N(0, NOISE_SD).
NOISY_COEFS = {"p": 2.0, "q": 1.0, "r": 0.0}
NOISY_SD = 0.3


def noisy_linear(x: dict[str, float], seed: int) -> dict[str, float]:
    """A linear model of p, q, r on [0, 1] plus Gaussian noise drawn from the run's seed.

    The noise is a function of the seed only, like a simulation's random stream: common
    random numbers cancel it from differences between design points. Without noise the
    indices are c_i^2 / sum(c_j^2): S(p) = 0.8, S(q) = 0.2, S(r) = 0.
    """
    rng = np.random.default_rng(seed)
    noise = float(rng.normal(0.0, NOISY_SD))
    y = sum(c * x[k] for k, c in NOISY_COEFS.items()) + noise
    return {"y": y, "y2": 0.5 * y}


def noisy_linear_indices() -> dict[str, float]:
    """Analytic first-order (= total) indices of :func:`noisy_linear` without noise."""
    total = sum(c * c for c in NOISY_COEFS.values())
    return {k: c * c / total for k, c in NOISY_COEFS.items()}


def failing(x: dict[str, float], seed: int) -> dict[str, float]:
    """Returns a non-finite outcome when ``x['a'] > 0.9``: to test that failures stop a run."""
    return {"y": float("nan") if x["a"] > 0.9 else x["a"]}


def slow_square(item: dict) -> dict:
    """Executor test helper: squares ``item['x']`` after a pause that is longer for earlier
    items, so that completion order differs from input order."""
    import time

    time.sleep(float(item.get("pause", 0.0)))
    if item.get("explode"):
        raise ValueError(f"exploded on x={item['x']}")
    return {"x": item["x"], "y": item["x"] ** 2}
