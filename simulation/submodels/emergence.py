"""Emergence: unmet needs make initiatives appear, held by local actors.

Seed: the micro level's role is « faire émerger » and « exprimer des envies et mobiliser des
ressources »; « toute coopération naît d'un désir, d'une envie ». Each month each
association (and, at half the rate, each official) starts an initiative with probability
``rate * will * sqrt(size) * need_max * (0.5 + social_capital) * (1 + anchoring * max(0, fragility - mean_fragility))``
(larger associations, with more staff, carry more projects; their projects cost ``project_cost * size ** COST_ELASTICITY``)
when it has a free slot (its *pouvoir*) and when the initiative's risk, drawn uniform in
[0, 1], is within its risk tolerance (« souvent, des gens sont paralysés » by risk).

- territorial_anchoring (« les Territoires sont le creuset [...] fragilités prioritaires »):
  share of initiatives aimed at the territory's most pressing need, and extra emergence in
  the territories more fragile than the mean of the run's territories, in proportion to
  their fragility above it; emergence where fragility is at or below the mean is left as it
  is (review 9c, finding 5: the factor ``1 + anchoring * (fragility - 0.5)``, centred above
  the mean fragility 0.4, removed initiatives from the least fragile territories, so the
  equity it bought was levelling down).
- cross_domain (« décloisonner »): the impact (weights summing to 1) spread over the other
  two needs, a synergy bonus ``1 + 0.3 spread`` on potential, and softer trade-offs
  (« rechercher l'optimum » between dimensions).
- experimentation (« une mutuelle reconnaissance du droit à l'erreur et à
  l'expérimentation »; « cette culture du risque – parce que souvent, des gens sont
  paralysés –, de l'acceptation et de l'envie »): a holder who practises the right to error
  dares a risk up to ``dare`` above its own tolerance, so riskier initiatives start, and a
  riskier initiative has a higher potential (``constants.potential_risk``) and fails more often
  (action). Mechanism ``risk_taking``; the lever's other pathway (a failed step need not end
  the alliance) is in action.
- complementarity (« complémentarité avec ce qui existe déjà »): when an initiative already
  works on the same need in the territory, the share of would-be holders who start a
  duplicate (working at reduced effectiveness, see action: « dispersion des énergies ») rather than
  join it as a partner while it is still looking for partners (« prolonger l'action » of what
  exists).
- contradictions: a share ``territories.tradeoff_share`` trades one need against another
  (signed weight, the pesticide example); a share ``territories.nimby_share`` carries a
  local cost for wider benefits (the waste site and TGV examples, « pas chez soi »).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import Params
from ..state import ASSOCIATION, FREE, NDIM, OFFICIAL, SEARCHING
from .common import (
    A_POOL_FULL,
    PARTNER_ENGAGEMENT,
    add_member,
    practice,
    practised,
    record,
    seat_of,
    slots,
)

(C_RATE, C_TARGET, C_FRAGILE, C_SPREAD, C_DUPLICATE, C_TRADEOFF, C_NIMBY, C_DURATION,
 C_COST, C_TARGET0, C_FRAGILE0, C_SPREAD0, C_DUPLICATE0, C_BY_WILL, C_DARE, C_DARE0,
 C_POTENTIAL_RISK) = range(17)
Coefficients = namedtuple("Coefficients", (
    "rate target fragile spread duplicate tradeoff nimby duration cost target0 fragile0 "
    "spread0 duplicate0 by_will dare dare0 potential_risk"
))

COST_ELASTICITY = value("cost_elasticity")
TRADEOFF_WEIGHT = value("tradeoff_weight")
LOCAL_COST_MIN = value("local_cost_min")
DURATION_SPREAD = value("duration_spread")
POTENTIAL_FLOOR = value("potential_floor")
SYNERGY = value("synergy")
HOLDER_ENGAGEMENT = value("holder_engagement")
OFFICIAL_INITIATIVE = value("official_initiative")


def coefficients(p: Params) -> Coefficients:
    target = pair(p, "territorial_anchoring", "target")
    fragile = pair(p, "territorial_anchoring", "fragile")
    spread = pair(p, "cross_domain", "spread")
    duplicate = pair(p, "complementarity", "duplicate")
    dare = pair(p, "experimentation", "dare") if p.mechanisms.risk_taking else (0.0, 0.0)
    return record(
        Coefficients,
        rate=p.constants.base_rate,
        target=target[1], fragile=fragile[1], spread=spread[1], duplicate=duplicate[1],
        tradeoff=p.territories.tradeoff_share,
        nimby=p.territories.nimby_share,
        duration=p.time.project_duration_months,
        cost=p.funding.project_cost,
        target0=target[0], fragile0=fragile[0], spread0=spread[0], duplicate0=duplicate[0],
        by_will=p.constants.will_full if p.mechanisms.practice_by_will else 0.0,
        dare=dare[1], dare0=dare[0],
        potential_risk=p.constants.potential_risk,
    )


@njit(cache=True)
def free_slot(ini):
    for i in range(ini.shape[0]):
        if ini[i].status == FREE:
            return i
    return -1


@njit(cache=True)
def new_initiative(c, state, i, t, holder, dim, risk, rng):
    """Open initiative ``i`` in territory ``t``; its weights, costs and contradictions."""
    ini, weights, actors = state.initiatives, state.weights, state.actors
    spread = practised(c[C_SPREAD0], c[C_SPREAD], practice(actors[holder].will, c[C_BY_WILL]))
    for d in range(NDIM):
        weights[i, d] = (1.0 if d == dim else spread / 2.0) / (1.0 + spread)
    if rng.random() < c[C_TRADEOFF]:
        other = (dim + 1 + rng.integers(0, NDIM - 1)) % NDIM
        weights[i, other] = -TRADEOFF_WEIGHT * (1.0 - spread)
    local_cost = LOCAL_COST_MIN + (1.0 - LOCAL_COST_MIN) * rng.random() if rng.random() < c[C_NIMBY] else 0.0
    dur = int(c[C_DURATION] * (1.0 - DURATION_SPREAD + 2.0 * DURATION_SPREAD * rng.random()) + 0.5)
    rec = ini[i]
    state.live[0] = max(state.live[0], i + 1)  # the pool's high-water mark (State.live)
    rec.status = SEARCHING
    rec.territory = t
    rec.holder = holder
    rec.dim = dim
    rec.n = 0
    rec.duration = max(1, dur)
    rec.wait = 0
    rec.acting = 0
    rec.paused = 0
    rec.risk = risk
    rec.potential = (POTENTIAL_FLOOR + c[C_POTENTIAL_RISK] * risk) * (1.0 + SYNERGY * spread)
    rec.local_cost = local_cost
    rec.opposition = 0.0
    rec.monthly_cost = c[C_COST] * actors[holder].size ** COST_ELASTICITY
    rec.pot = 0.0
    rec.progress = 0.0
    rec.gain = 0.0
    rec.work = 0.0
    rec.path = actors[holder].path
    rec.fit = 1.0
    rec.visible = 0.0
    rec.misalign = 0.0
    rec.duplicate = False
    rec.national = False
    rec.macro_funded = False
    rec.granted = 0.0
    rec.results_granted = 0.0
    rec.arranged = False
    rec.contested = False
    rec.agreed = False
    rec.knowledge = 0.0
    rec.milestone = 0
    add_member(state, i, holder, HOLDER_ENGAGEMENT)


@njit(cache=True)
def step(c, state, rng):
    territories, needs, actors = state.territories, state.needs, state.actors
    ini, members, acc = state.initiatives, state.members, state.acc
    # Lowest-index open initiative per (territory, need) and the free slots in ascending
    # order: one pass over the pool instead of one per new initiative.
    first_open = -np.ones((territories.shape[0], NDIM), dtype=np.int64)
    free = np.empty(ini.shape[0], dtype=np.int64)
    n_free = 0
    for j in range(state.live[0]):  # the slots beyond were never opened: all free (State.live)
        if ini[j].status == FREE:
            free[n_free] = j
            n_free += 1
        elif first_open[ini[j].territory, ini[j].dim] < 0:
            first_open[ini[j].territory, ini[j].dim] = j
    for j in range(state.live[0], ini.shape[0]):
        free[n_free] = j
        n_free += 1
    next_free = 0
    mean_fragility = 0.0  # of the run's territories: « fragilités prioritaires » is relative
    for t in range(territories.shape[0]):
        mean_fragility += territories[t].fragility / territories.shape[0]
    for t in range(territories.shape[0]):
        need_max = 0.0
        top = 0
        for d in range(NDIM):
            if needs[t, d] > need_max:
                need_max = needs[t, d]
                top = d
        qt = practice(territories[t].will, c[C_BY_WILL])
        above = max(0.0, territories[t].fragility - mean_fragility)
        fragile = 1.0 + practised(c[C_FRAGILE0], c[C_FRAGILE], qt) * above
        base = c[C_RATE] * need_max * (0.5 + territories[t].social_capital) * fragile
        a0 = territories[t].first_actor
        for a in range(a0, a0 + territories[t].n_actors):
            kind = actors[a].kind
            if kind != ASSOCIATION and kind != OFFICIAL:
                continue
            u = rng.random()
            risk = rng.random()
            rate = base * actors[a].will * (OFFICIAL_INITIATIVE if kind == OFFICIAL else actors[a].size ** 0.5)
            if u >= rate or actors[a].engaged >= slots(actors[a]):
                continue
            qa = practice(actors[a].will, c[C_BY_WILL])
            if risk > actors[a].risk_tolerance + practised(c[C_DARE0], c[C_DARE], qa):
                continue
            dim = top if rng.random() < practised(c[C_TARGET0], c[C_TARGET], qa) else rng.integers(0, NDIM)
            existing = first_open[t, dim]
            duplicate = False
            if existing >= 0:
                if rng.random() >= practised(c[C_DUPLICATE0], c[C_DUPLICATE], qa):
                    if ini[existing].status == SEARCHING and seat_of(members, existing, a) < 0:
                        add_member(state, existing, a, PARTNER_ENGAGEMENT)
                    continue
                duplicate = True
            if next_free >= n_free:
                acc[A_POOL_FULL] += 1
                continue
            i = free[next_free]
            next_free += 1
            new_initiative(c, state, i, t, a, dim, risk, rng)
            ini[i].duplicate = duplicate
            if existing < 0 or i < existing:
                first_open[t, dim] = i
