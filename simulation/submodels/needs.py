"""Needs: unmet needs regenerate in every territory, faster where it is fragile.

Seed: « des fragilités grandissantes » (Heidsieck) and the Charter's « fragilités
prioritaires des personnes et des espaces naturels ». Each month every need moves towards
full need: ``need += r * (0.5 + fragility) * (1 - need)``, with ``r`` =
``territories.need_regeneration``. Regeneration keeps outcomes from saturating: new needs
keep appearing, so impact is a flow, not a stock that runs out (DOMAIN.md, calibration).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..params import Params

C_REGEN = 0


def coefficients(p: Params) -> np.ndarray:
    return np.array([p.territories.need_regeneration], dtype=np.float64)


@njit(cache=True)
def step(c, territories, needs):
    r = c[C_REGEN]
    for t in range(needs.shape[0]):
        g = r * (0.5 + territories[t].fragility)
        for d in range(needs.shape[1]):
            needs[t, d] += g * (1.0 - needs[t, d])
