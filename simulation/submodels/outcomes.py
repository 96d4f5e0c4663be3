"""Outcomes: alliances reach the end of their project; success or failure changes needs;
the path is capitalised or forgotten.

Seed: the Charter's « capitaliser : l'attachement à garder mémoire non seulement des
résultats mais aussi du chemin est un gage d'intérêt général [...] plus la capitalisation
est engagée tôt, plus elle permet de discerner les signaux faibles »; « la concurrence [...]
peut se transformer en cohérence à partir d'un certain point, dès lors qu'on se demande
comment prendre soin les uns des autres ».

While it acts, an alliance reduces its territory's needs each month by
``IMPACT * gain * potential * weight[d] * (cost / median cost) ** 0.3`` per dimension, ``gain``
being the month's progress (signed: a trade-off raises the other need); an initiative with
local costs gives half of its benefit to its neighbours (wider benefits). It ends when it has
acted ``duration`` months, and succeeds with probability ``clip((progress - 0.1) / 0.6)``; a
success adds a lasting result of ``COMPLETION_BONUS`` units of progress. Whatever the result, the path enters the
territory's knowledge stock with the capitalisation probability; a capitalised success is
handed to scaling. A success shared by two or more associations builds their territory's
cooperative trust.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..levers import dose
from ..params import Params
from ..state import ACTING, ASSOCIATION, NDIM, K
from .common import (
    A_COMPLETED,
    A_IMPACT_ECO,
    A_POSITIVE_IMPACT,
    A_SPENT,
    A_SUCCESS,
    E_CAPITALISED,
    E_DIM,
    E_SUCCESS,
    E_TERRITORY,
    N_EVENTS,
    clip01,
    end_initiative,
)

C_CAPITALISE, C_COST = range(2)
IMPACT = 0.25  # need units per unit of progress of a median project
COMPLETION_BONUS = 0.5  # lasting result of a success, in units of progress


def coefficients(p: Params) -> np.ndarray:
    return np.array([dose(p.levers.capitalisation, 0.2, 0.6), p.funding.project_cost],
                    dtype=np.float64)


@njit(cache=True)
def apply_impact(t, amount, needs, territory_impact, acc):
    """Change need ``d`` of territory ``t`` by ``amount[d]`` (positive reduces the need)."""
    total = 0.0
    for d in range(NDIM):
        x = amount[d]
        if x >= 0.0:
            x = min(x, needs[t, d])
        else:
            x = max(x, needs[t, d] - 1.0)
        needs[t, d] -= x
        acc[A_IMPACT_ECO + d] += x
        territory_impact[t] += x
        total += x
    return total


@njit(cache=True)
def spread_impact(t, i, scale, weights, ini, needs, neighbours, territory_impact, acc, amount):
    """Need reduced by alliance ``i`` in its territory; half goes to the neighbours when the
    initiative has local costs for wider benefits."""
    wider = 0.5 if ini[i].contested else 0.0
    for d in range(NDIM):
        amount[d] = scale * weights[i, d] * (1.0 - wider)
    gained = apply_impact(t, amount, needs, territory_impact, acc)
    nb = 0
    for j in range(neighbours.shape[1]):
        if neighbours[t, j] >= 0:
            nb += 1
    if wider > 0.0 and nb > 0:
        for d in range(NDIM):
            amount[d] = scale * weights[i, d] * wider / nb
        for j in range(neighbours.shape[1]):
            if neighbours[t, j] >= 0:
                gained += apply_impact(neighbours[t, j], amount, needs, territory_impact, acc)
    acc[A_POSITIVE_IMPACT] += max(0.0, gained)


@njit(cache=True)
def step(c, territories, needs, neighbours, actors, ini, weights, members, engagement, share,
         territory_impact, events, acc, nat, rng):
    nat[N_EVENTS] = 0
    amount = np.zeros(NDIM)
    for i in range(ini.shape[0]):
        if ini[i].status != ACTING:
            continue
        t = ini[i].territory
        size = (ini[i].monthly_cost / c[C_COST]) ** 0.3 if c[C_COST] > 0.0 else 1.0
        if ini[i].gain > 0.0:
            spread_impact(t, i, IMPACT * ini[i].gain * ini[i].potential * size, weights, ini,
                          needs, neighbours, territory_impact, acc, amount)
        if ini[i].acting < ini[i].duration:
            continue
        u_success = rng.random()
        u_capitalise = rng.random()
        success = u_success < clip01((ini[i].progress - 0.1) / 0.6)
        acc[A_COMPLETED] += 1
        if success:
            acc[A_SUCCESS] += 1
            spread_impact(t, i, IMPACT * COMPLETION_BONUS * ini[i].potential * size, weights,
                          ini, needs, neighbours, territory_impact, acc, amount)
            n_assoc = 0
            for k in range(K):
                a = members[i, k]
                if a >= 0 and actors[a].kind == ASSOCIATION:
                    n_assoc += 1
            if n_assoc >= 2:
                territories[t].coop_trust = clip01(territories[t].coop_trust + 0.1)
        capitalised = u_capitalise < c[C_CAPITALISE]
        if capitalised:
            territories[t].knowledge += 0.05 * (1.0 - territories[t].knowledge)
        e = int(nat[N_EVENTS])
        if e < events.shape[0]:
            events[e, E_TERRITORY] = t
            events[e, E_DIM] = ini[i].dim
            events[e, E_SUCCESS] = 1.0 if success else 0.0
            events[e, E_CAPITALISED] = 1.0 if capitalised else 0.0
            nat[N_EVENTS] = e + 1
        end_initiative(ini, members, engagement, share, actors, territories, acc, i, A_SPENT)
