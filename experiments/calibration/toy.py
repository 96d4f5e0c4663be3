"""A model whose posterior is known, to check the calibration machinery recovers it.

``gaussian_mean``: one draw ``y ~ N(mu, SIGMA)``. With a uniform prior on ``mu`` wide enough
and ``y`` observed, the posterior of ``mu`` is ``N(y_obs, SIGMA^2)`` (truncated to the prior's
range); ABC's posterior tends to it as the tolerance shrinks. ``z`` is pure noise that does
not depend on ``mu``: a held-out pattern the data cannot move.
"""

from __future__ import annotations

import numpy as np

SIGMA = 1.0


def gaussian_mean(values: dict[str, float], seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    y = values["mu"] + SIGMA * rng.standard_normal()
    return {"y": float(y), "z": float(rng.standard_normal())}
