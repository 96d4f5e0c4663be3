"""Scaling: capitalised successes spread to neighbouring territories and may reach national
recognition — where the glass ceiling bites.

Seed: « nous sommes confrontés à un plafond de verre, nous avons une grosse difficulté à
valoriser, à travers un récit national, la diversité de ces initiatives »; its causes:
« difficultés de se faire connaître [...] dans un contexte de sur-information », and the
macro's role « accompagner, renforcer, accélérer, c'est-à-dire faciliter la coopération
entre territoires et le passage à l'échelle »; « une plateforme unique répertoriant toutes
ces initiatives [...] permettrait de les interconnecter et de les valoriser ».

Crowding is the year's successes over ``ATTENTION`` per territory (« se faire connaître
[...] dans un contexte de sur-information »: the more initiatives compete for notice, the less
each is seen). Only a capitalised success can be replicated (its path is known): each
neighbour adopts it with probability
``ADOPT * innovation_share / 0.2 * (1 + 2 * visibility * hub) / (1 + crowding)``: a local
association of that territory opens a replica that starts with the path's knowledge
(Deffuant, Huet & Amblard 2005: diffusion needs both visibility and local will). Any success
may be recognised nationally with probability
``RECOGNISE * macro_support * macro_presence * (1 + 2 * visibility * hub) / (1 + crowding)``,
doubled when capitalised, and at most ``RECOGNITION_CAPACITY`` times per national review (the
missing « récit national »). So adding money multiplies local successes more than scalings,
while visibility (the hub) raises them. A recognition spreads a little knowledge everywhere and
raises local trust in the macro.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..levers import dose
from ..params import Params
from ..state import ASSOCIATION
from .common import (
    A_ADOPTION,
    A_RECOGNITION,
    E_CAPITALISED,
    E_DIM,
    E_SUCCESS,
    E_TERRITORY,
    N_EVENTS,
    N_RECENT_SUCCESSES,
    N_RECOGNITION_LEFT,
    clip01,
    slots,
)
from .emergence import free_slot, new_initiative

C_ADOPT, C_RECOGNISE = range(2)
ADOPT = 0.3
ATTENTION = 0.04  # successes per territory and year that the ecosystem can take notice of
RECOGNISE = 1.3
RECOGNITION_CAPACITY = 1
ADOPTED_KNOWLEDGE = 0.3


def coefficients(p: Params) -> np.ndarray:
    lv = p.levers
    visible = 1.0 + 2.0 * p.mechanisms.visibility * dose(lv.hub_platform, 0.0, 1.0)
    return np.array([
        ADOPT * dose(lv.innovation, 0.2, 0.8) / 0.2 * visible,
        RECOGNISE * p.mechanisms.macro_support * p.governance.macro_presence * visible,
    ], dtype=np.float64)


@njit(cache=True)
def step(c, ce, territories, neighbours, actors, ini, weights, members, engagement, share,
         events, acc, nat, rng):
    """``ce`` are emergence's coefficients, used to open replicas the same way."""
    successes = 0.0
    for e in range(int(nat[N_EVENTS])):
        successes += events[e, E_SUCCESS]
    nat[N_RECENT_SUCCESSES] = nat[N_RECENT_SUCCESSES] * (11.0 / 12.0) + successes
    crowding = nat[N_RECENT_SUCCESSES] / (ATTENTION * territories.shape[0])
    p_adopt = c[C_ADOPT] / (1.0 + crowding)
    for e in range(int(nat[N_EVENTS])):
        if events[e, E_SUCCESS] < 0.5:
            continue
        t = int(events[e, E_TERRITORY])
        capitalised = events[e, E_CAPITALISED] > 0.5
        for j in range(neighbours.shape[1]):
            n = neighbours[t, j]
            u_adopt = rng.random()
            u_holder = rng.random()
            if n < 0 or not capitalised or u_adopt >= p_adopt:
                continue
            a0 = territories[n].first_actor
            holder = a0 + int(u_holder * territories[n].n_actors)
            if (actors[holder].kind != ASSOCIATION or actors[holder].will <= 0.0
                    or actors[holder].engaged >= slots(actors[holder])):
                continue
            i = free_slot(ini)
            if i < 0:
                continue
            new_initiative(ce, i, n, holder, int(events[e, E_DIM]), actors[holder].risk_tolerance * rng.random(),
                           ini, weights, members, engagement, share, actors, rng)
            ini[i].knowledge = ADOPTED_KNOWLEDGE
            acc[A_ADOPTION] += 1
        p_recognise = c[C_RECOGNISE] * (2.0 if capitalised else 1.0) / (1.0 + crowding)
        if nat[N_RECOGNITION_LEFT] > 0 and rng.random() < p_recognise:
            nat[N_RECOGNITION_LEFT] -= 1
            acc[A_RECOGNITION] += 1
            for s in range(territories.shape[0]):
                territories[s].knowledge += 0.01 * (1.0 - territories[s].knowledge)
            a0 = territories[t].first_actor
            for a in range(a0, a0 + territories[t].n_actors):
                actors[a].trust = clip01(actors[a].trust + 0.02)
