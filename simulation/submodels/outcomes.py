"""Outcomes: alliances reach the end of their project; success or failure changes needs;
the path is capitalised or forgotten.

Seed: the Charter's « capitaliser : l'attachement à garder mémoire non seulement des
résultats mais aussi du chemin est un gage d'intérêt général [...] plus la capitalisation
est engagée tôt, plus elle permet de discerner les signaux faibles »; « la concurrence [...]
peut se transformer en cohérence à partir d'un certain point, dès lors qu'on se demande
comment prendre soin les uns des autres ».

Need unit: one need unit is the whole of one need dimension of one territory (need runs
from 1, everything unmet, to 0), so 0.02 need units is 2% of a territory's full need on one
dimension. While it acts, an alliance reduces its territory's needs each month by
``impact_per_work * work * potential * weight[d] * (cost / median cost) ** 0.3`` per
dimension, ``work`` being the work-months it delivered that month (action: effectiveness
times the share of the month's cost it could pay): deliverables accrue with the months of
funded work, so a 60-month project does five times the work of a 12-month one for five times
the money (signed: a trade-off raises the other need); an initiative with
local costs gives half of its benefit to its neighbours (wider benefits). It ends when it has
acted ``duration`` months, and succeeds with probability ``clip((progress - 0.1) / 0.6)``,
progress being its work over its planned months; a success adds a lasting result of
``completion_bonus`` times the need it reduced while acting. Whatever the result, the path enters the
territory's knowledge stock with the capitalisation probability; a capitalised success is
handed to scaling. A success shared by two or more associations builds their territory's
cooperative trust.

The share of an alliance's grant money that came from the State's results contracts
(funding, mechanism ``unpaid_path``) is the share of its path nobody paid for: the
capitalisation chance is multiplied by one minus that share, unless a local partner fills the
gap with its own means (mechanism ``local_gap_filling``; « le
sentiment que les réglementations sont principalement établies au niveau national (macro),
et que pour les appliquer, le micro facilite la mise en action des acteurs du territoire, et
apporte le financement manquant. En un mot, « le micro comble les trous du macro » (en
matière de financement, d'ingénierie, de prise de risque) »): a local partner with that share
of ``capitalise_time`` FTE-months free in its staff and the money to pay them does the work
at its own cost. The draw
of whether the partners capitalise is the same either way (one uniform against both chances).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import Params
from ..state import ACTING, ASSOCIATION, FOUNDATION, FTE_MONTH_KEUR, NDIM, OFFICIAL, K
from .common import (
    A_COMPLETED,
    A_IMPACT_ECO,
    A_MONTHS,
    A_POSITIVE_IMPACT,
    A_SPENT,
    A_SUCCESS,
    E_BURDEN,
    E_CAPITALISED,
    E_CARRIER,
    E_DIM,
    E_LEGITIMACY,
    E_SUCCESS,
    E_TERRITORY,
    N_EVENTS,
    N_SHARED_KNOWLEDGE,
    clip01,
    end_initiative,
    practised,
    record,
    staff_free,
)

(C_CAPITALISE, C_COST, C_CAPITALISE0, C_WILL_DYN, C_LEGITIMACY, C_IMPACT, C_BONUS, C_DUTY_TO_WILL,
 C_DISAPPOINTMENT, C_SHARED_STEP, C_PATH_TIME, C_GAP_FILL, C_SUCCESS_FLOOR, C_SUCCESS_SPAN) = range(14)
Coefficients = namedtuple("Coefficients", (
    "capitalise cost capitalise0 will_dyn legitimacy impact bonus duty_to_will "
    "disappointment shared_step path_time gap_fill success_floor success_span"
))

LEGITIMACY_LOCAL_FLOOR = value("legitimacy_local_floor")
LEGITIMACY_MACRO_FLOOR = value("legitimacy_macro_floor")
SPILLOVER = value("spillover")
IMPACT_SIZE_ELASTICITY = value("impact_size_elasticity")
SUCCESS_TRUST = value("success_trust")
KNOWLEDGE_STEP = value("knowledge_step")


def coefficients(p: Params) -> Coefficients:
    cap = pair(p, "capitalisation", "capitalise")
    m = p.mechanisms
    k = p.constants
    return record(
        Coefficients,
        capitalise=cap[1], cost=p.funding.project_cost, capitalise0=cap[0],
        will_dyn=1.0 if m.will_dynamics else 0.0,
        legitimacy=1.0 if m.holder_legitimacy else 0.0,
        impact=k.impact_per_work, bonus=k.completion_bonus, duty_to_will=k.duty_to_will,
        disappointment=k.disappointment, shared_step=k.shared_step,
        path_time=k.capitalise_time, gap_fill=1.0 if m.local_gap_filling else 0.0,
        success_floor=k.success_floor, success_span=k.success_span,
    )


@njit(cache=True)
def unpaid_path(c, state, i):
    """Share of alliance ``i``'s path that no grant paid for and nobody filled: its share of
    grant money from results contracts (funding, ``unpaid_path``), unless a local partner fills
    it with its own means (mechanism ``local_gap_filling``: « le micro comble les trous du
    macro »): among the local partners with that share of ``capitalise_time`` free in their
    staff this month and the money to pay it (at ``FTE_MONTH_KEUR``), the one with the most
    free staff time does the work and pays for it."""
    ini, actors, members = state.initiatives, state.actors, state.members
    if ini[i].results_granted <= 0.0:
        return 0.0
    unpaid = ini[i].results_granted / ini[i].granted
    if c[C_GAP_FILL] <= 0.0:
        return unpaid
    need = c[C_PATH_TIME] * unpaid
    best = -1
    for k in range(K):
        a = members[i, k]
        if (a >= 0 and not actors[a].national and staff_free(actors[a]) >= need
                and actors[a].money >= need * FTE_MONTH_KEUR
                and (best < 0 or staff_free(actors[a]) > staff_free(actors[best]))):
            best = a
    if best < 0:
        return unpaid
    actors[best].time_used += need
    actors[best].money -= need * FTE_MONTH_KEUR  # its own staff, paid from its own means
    state.acc[A_SPENT] += need * FTE_MONTH_KEUR
    return 0.0


@njit(cache=True)
def legitimacy(c, ini, members, actors, i):
    """How far the holder is « reconnu comme tel localement et à un niveau macro »: local
    recognition (the local executive is a partner) and national recognition (a national
    partner or national money) each count, and both are needed to be noticed fully:
    ``(0.5 + 0.5 local) * (0.25 + 0.75 macro)``. 1 when the mechanism is off."""
    if c[C_LEGITIMACY] <= 0.0:
        return 1.0
    local = 0.0
    macro = 1.0 if (ini[i].national or ini[i].macro_funded) else 0.0
    for k in range(K):
        a = members[i, k]
        if a >= 0 and actors[a].kind == OFFICIAL:
            local = 1.0
    return ((LEGITIMACY_LOCAL_FLOOR + (1.0 - LEGITIMACY_LOCAL_FLOOR) * local)
            * (LEGITIMACY_MACRO_FLOOR + (1.0 - LEGITIMACY_MACRO_FLOOR) * macro))


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
def spread_impact(state, t, i, scale, amount):
    """Need reduced by alliance ``i`` in its territory; half goes to the neighbours when the
    initiative has local costs for wider benefits."""
    ini, weights, needs, neighbours = state.initiatives, state.weights, state.needs, state.neighbours
    territory_impact, acc = state.territory_impact, state.acc
    wider = SPILLOVER if ini[i].contested else 0.0
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
def step(c, state, rng):
    territories, actors, ini, members = state.territories, state.actors, state.initiatives, state.members
    events, acc, nat = state.events, state.acc, state.nat
    nat[N_EVENTS] = 0
    amount = np.zeros(NDIM)
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        if ini[i].status != ACTING:
            continue
        t = ini[i].territory
        size = (ini[i].monthly_cost / c[C_COST]) ** IMPACT_SIZE_ELASTICITY if c[C_COST] > 0.0 else 1.0
        if ini[i].gain > 0.0:
            spread_impact(state, t, i, c[C_IMPACT] * ini[i].gain * ini[i].potential * size, amount)
        if ini[i].acting < ini[i].duration:
            continue
        u_success = rng.random()
        u_capitalise = rng.random()
        success = u_success < clip01((ini[i].progress - c[C_SUCCESS_FLOOR]) / c[C_SUCCESS_SPAN])
        acc[A_COMPLETED] += 1
        if success:
            acc[A_SUCCESS] += 1
            spread_impact(state, t, i, c[C_IMPACT] * c[C_BONUS] * ini[i].work * ini[i].potential
                          * size, amount)
            n_assoc = 0
            for k in range(K):
                a = members[i, k]
                if a >= 0 and actors[a].kind == ASSOCIATION:
                    n_assoc += 1
            if n_assoc >= 2:
                territories[t].coop_trust = clip01(territories[t].coop_trust + SUCCESS_TRUST)
        if c[C_WILL_DYN] > 0.0:
            for k in range(K):
                a = members[i, k]
                if a < 0:
                    continue
                if success:
                    actors[a].will += c[C_DUTY_TO_WILL] * actors[a].duty * (1.0 - actors[a].will)
                else:
                    actors[a].will -= c[C_DISAPPOINTMENT] * actors[a].will
        p_capitalise = practised(c[C_CAPITALISE0], c[C_CAPITALISE], ini[i].practice)
        if u_capitalise < p_capitalise:
            p_capitalise *= 1.0 - unpaid_path(c, state, i)  # the part of the path nobody paid for
        capitalised = u_capitalise < p_capitalise
        if capitalised:
            territories[t].knowledge += KNOWLEDGE_STEP * (1.0 - territories[t].knowledge)
            nat[N_SHARED_KNOWLEDGE] += c[C_SHARED_STEP] * (1.0 - nat[N_SHARED_KNOWLEDGE])
        e = int(nat[N_EVENTS])
        if e < events.shape[0]:
            events[e, E_TERRITORY] = t
            events[e, E_DIM] = ini[i].dim
            events[e, E_SUCCESS] = 1.0 if success else 0.0
            events[e, E_CAPITALISED] = 1.0 if capitalised else 0.0
            events[e, E_LEGITIMACY] = legitimacy(c, ini, members, actors, i)
            h = ini[i].holder
            events[e, E_BURDEN] = min(1.0, actors[h].app_time / max(actors[h].staff * max(acc[A_MONTHS], 1.0), 1e-9))
            for k in range(K):
                a = members[i, k]
                carries = a >= 0 and (actors[a].national or actors[a].kind == FOUNDATION)
                events[e, E_CARRIER + k] = a if carries else -1
            nat[N_EVENTS] = e + 1
        end_initiative(state, i, A_SPENT)
