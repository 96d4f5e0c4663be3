"""Needs: unmet needs regenerate in every territory, faster where it is fragile.

Seed: « face aux fragilités grandissantes » (Heidsieck) and the Charter's « fragilités
prioritaires des personnes et des espaces naturels ». Each month every need moves towards
full need: ``need += r * (0.5 + fragility) * (1 - need)``, with ``r`` =
``territories.need_regeneration``. Regeneration keeps outcomes from saturating: new needs
keep appearing, so impact is a flow, not a stock that runs out (DOMAIN.md, calibration).
"""

from __future__ import annotations

from collections import namedtuple

from numba import njit

from ..params import Params
from .common import record

C_REGEN = 0
Coefficients = namedtuple("Coefficients", "regen")


def coefficients(p: Params) -> Coefficients:
    return record(Coefficients, regen=p.territories.need_regeneration)


@njit(cache=True)
def step(c, state):
    territories, needs = state.territories, state.needs
    r = c[C_REGEN]
    for t in range(needs.shape[0]):
        g = r * (0.5 + territories[t].fragility)
        for d in range(needs.shape[1]):
            needs[t, d] += g * (1.0 - needs[t, d])
