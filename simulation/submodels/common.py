"""Shared pieces of the compiled submodels: small helpers, and the state's slots (defined in
simulation/state.py, re-exported here for the submodels)."""

from __future__ import annotations

import numpy as np
from numba import njit

from ..constants import value
from ..state import (  # noqa: F401  (the submodels read the state's slots from here)
    A_ABANDONED,
    A_ACTIVE_SUM,
    A_ADOPTION,
    A_ALLIANCE_SPENT,
    A_APPLICATIONS,
    A_ASSOC_APP_TIME,
    A_ASSOC_STAFF_TIME,
    A_BLOCKED,
    A_COMPLETED,
    A_CONTESTED,
    A_ELECTION_ABANDON,
    A_ENDED,
    A_ENG_N,
    A_ENG_SUM,
    A_EXIT_CONFLICT,
    A_EXIT_ORDERLY,
    A_FORMED,
    A_FORMED_NATIONAL,
    A_FORMED_TWO_ASSOC,
    A_FORMED_TYPES,
    A_GRANTS,
    A_IMPACT_ECO,
    A_IMPACT_ENV,
    A_IMPACT_SOC,
    A_INFLOW,
    A_INITIAL,
    A_LOST,
    A_MISSED,
    A_MONTHS,
    A_PATH_SQ,
    A_PATH_SUM,
    A_POOL_FULL,
    A_POSITIVE_IMPACT,
    A_RECOGNITION,
    A_SPENT,
    A_SUCCESS,
    ACTING,
    ASSOCIATION,
    E_BURDEN,
    E_CAPITALISED,
    E_CARRIER,
    E_DIM,
    E_LEGITIMACY,
    E_SUCCESS,
    E_TERRITORY,
    FIRM,
    FOUNDATION,
    FREE,
    KIND_NAMES,
    N_ACC,
    N_AWARDED,
    N_EVENT_FIELDS,
    N_EVENTS,
    N_FRICTION,
    N_NAT,
    N_PRESSURE,
    N_RECENT_SUCCESSES,
    N_RECOGNITION_LEFT,
    N_REQUESTED,
    N_RESEARCH,
    N_SHARED_KNOWLEDGE,
    N_WILL,
    OFFICIAL,
    K,
)

# --- used by several submodels (one definition each, here) ---------------------------------
WORK_TIME = value("work_time")  # FTE a partner gives each alliance it is in (partner_search)
PARTNER_ENGAGEMENT = value("partner_engagement")  # a partner's engagement when it joins
EXIT_DISPUTE_LOSS = value("exit_dispute_loss")  # engagement the others lose in a disputed exit
COFUND = np.array([value(f"cofund_{kind}") for kind in KIND_NAMES])
PLEDGE_CAP = value("pledge_cap")
TRUST_LOSS = value("trust_loss")  # trust lost by a conflictual cross-level exit or a national override
SLOTS_ASSOCIATION = value("slots_association")
SLOTS_OFFICIAL = value("slots_official")
SLOTS_FIRM = value("slots_firm")
SLOTS_FOUNDATION = value("slots_foundation")
SLOTS_STATE = value("slots_state")


@njit(cache=True)
def group(keys, n_groups):
    """An index list: the positions ``i`` with ``keys[i] >= 0`` grouped by key, ascending
    within a group, so that ``order[start[g]:start[g + 1]]`` are group ``g``'s. A kernel
    visits one group instead of rescanning every position (same positions, same order, so
    the same random draws)."""
    start = np.zeros(n_groups + 1, np.int64)
    for i in range(keys.shape[0]):
        if keys[i] >= 0:
            start[keys[i] + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    order = np.empty(start[n_groups], np.int64)
    fill = start[:n_groups].copy()
    for i in range(keys.shape[0]):
        g = keys[i]
        if g >= 0:
            order[fill[g]] = i
            fill[g] += 1
    return start, order


@njit(cache=True)
def by_territory(state, min_status):
    """The initiatives of status ``min_status`` or more, by territory (:func:`group`)."""
    ini = state.initiatives
    keys = np.full(ini.shape[0], -1, np.int64)
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        if ini[i].status >= min_status:
            keys[i] = ini[i].territory
    return group(keys, state.territories.shape[0])


@njit(cache=True)
def clip01(x):
    return min(1.0, max(0.0, x))


@njit(cache=True)
def seat_of(members, i, actor):
    for k in range(K):
        if members[i, k] == actor:
            return k
    return -1


@njit(cache=True)
def add_member(state, i, actor, start_engagement):
    """Seat ``actor`` in alliance ``i``; returns False when the alliance is full."""
    ini, members, engagement, share, actors = (state.initiatives, state.members, state.engagement,
                                               state.share, state.actors)
    for k in range(K):
        if members[i, k] < 0:
            members[i, k] = actor
            engagement[i, k] = start_engagement
            share[i, k] = 0.0
            ini[i].n += 1
            actors[actor].engaged += 1
            if actors[actor].national:
                ini[i].national = True
            return True
    return False


@njit(cache=True)
def remove_member(state, i, k):
    ini, members, engagement, share, actors = (state.initiatives, state.members, state.engagement,
                                               state.share, state.actors)
    a = members[i, k]
    members[i, k] = -1
    engagement[i, k] = 0.0
    share[i, k] = 0.0
    ini[i].n -= 1
    actors[a].engaged -= 1


@njit(cache=True)
def end_initiative(state, i, spent_slot):
    """Free alliance ``i``: partners are released and what is left in its pot is spent on
    closing it (so the money ledger stays exact). An alliance that had started acting
    counts as ended (the denominator of survival)."""
    ini, members, territories, acc = state.initiatives, state.members, state.territories, state.acc
    for k in range(K):
        if members[i, k] >= 0:
            remove_member(state, i, k)
    if ini[i].pot > 0.0:
        acc[spent_slot] += ini[i].pot
        ini[i].pot = 0.0
    if ini[i].status >= ACTING:
        territories[ini[i].territory].active -= 1
        acc[A_ENDED] += 1
    if ini[i].arranged:
        territories[ini[i].territory].arranged -= 1
        ini[i].arranged = False
    ini[i].status = FREE


@njit(cache=True)
def mean_engagement(members, engagement, i):
    s = 0.0
    n = 0
    for k in range(K):
        if members[i, k] >= 0:
            s += engagement[i, k]
            n += 1
    return s / n if n > 0 else 0.0


@njit(cache=True)
def leave(state, i, k, take_back):
    """Partner in seat ``k`` leaves alliance ``i``, and its monthly pledge with it. With
    ``take_back`` it also withdraws its part of the pot, in proportion to its pledge (a
    conflictual exit or a withdrawn public co-funding). Returns the share that stayed."""
    ini, members, share, actors = state.initiatives, state.members, state.share, state.actors
    a = members[i, k]
    total = pledged(members, share, i)
    s = share[i, k] / total if total > 0.0 else 0.0
    kept = 1.0
    if take_back and s > 0.0:
        taken = ini[i].pot * s
        ini[i].pot -= taken
        actors[a].money += taken
        kept = 1.0 - s
    remove_member(state, i, k)
    return kept


@njit(cache=True)
def pledged(members, share, i):
    """Money (k€ per month) the partners of alliance ``i`` have pledged to its pot."""
    s = 0.0
    for k in range(K):
        if members[i, k] >= 0:
            s += share[i, k]
    return s


@njit(cache=True)
def slots(actor):
    """Most alliances an actor can be in at once: its *pouvoir* (capacity) times what its
    size allows. Capacity 0 means it can commit nothing, so it joins nothing."""
    kind = actor.kind
    if kind == ASSOCIATION:  # grows with staff
        base = 1.0 + SLOTS_ASSOCIATION * actor.size ** 0.5
    elif kind == OFFICIAL:  # the local executive partners many alliances
        base = SLOTS_OFFICIAL
    elif kind == FIRM:
        base = SLOTS_FIRM
    elif kind == FOUNDATION:
        base = SLOTS_FOUNDATION
    else:
        base = SLOTS_STATE
    return int(actor.capacity * base + 1e-9)


@njit(cache=True)
def practice(will, will_full):
    """How fully a lever is practised by actors of this ``will`` (envie): in proportion to
    will up to ``will_full`` (constants.will_full), in full beyond. Seed: « le "faire alliance" ne se décrète
    pas [...] toute coopération naît d'un désir, d'une envie, et la charte peut contribuer,
    une fois ce désir initié, à en faciliter la concrétisation ». ``will_full`` 0 is the
    knockout (mechanisms.practice_by_will false): practised in full whatever the will."""
    if will_full <= 0.0:
        return 1.0
    return min(1.0, will / will_full)


@njit(cache=True)
def practised(without, with_, q):
    """A lever's variable when practised at ``q``: from its value without the lever
    (``without``) to its value at the lever's dose and fidelity (``with_``)."""
    return without + (with_ - without) * q


@njit(cache=True)
def alliance_will(members, actors, i):
    """Mean will of alliance ``i``'s partners: the will of those who practise its levers."""
    s = 0.0
    n = 0
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            s += actors[a].will
            n += 1
    return s / n if n > 0 else 0.0


def record(kind, **values):
    """A submodel's coefficients as the namedtuple ``kind``, filled by name and every value a
    float. simulation.kernel.coefficients hands the kernels its values as a float64 array,
    which they read by the position constant beside each name (``c[C_REGEN]``, checked
    against the names by tests/test_registries.py)."""
    return kind(**{name: float(v) for name, v in values.items()})


@njit(cache=True)
def staff_free(actor):
    return actor.staff - actor.time_used - actor.engaged * WORK_TIME


@njit(cache=True)
def months_to_election(month, offset, cycle):
    """Months until this territory's next election (an election month counts as cycle)."""
    r = (month - offset) % cycle
    return cycle - r


@njit(cache=True)
def exit_partner(state, i, k, orderly):
    members, engagement, actors, acc = state.members, state.engagement, state.actors, state.acc
    a = members[i, k]
    if orderly:
        acc[A_EXIT_ORDERLY] += 1
        leave(state, i, k, False)
        return
    acc[A_EXIT_CONFLICT] += 1
    national = actors[a].national
    leave(state, i, k, True)
    for j in range(K):
        b = members[i, j]
        if b >= 0:
            engagement[i, j] = clip01(engagement[i, j] - EXIT_DISPUTE_LOSS)
            if national != actors[b].national:
                actors[b].trust = clip01(actors[b].trust - TRUST_LOSS)


@njit(cache=True)
def commit(ini, members, share, actors, i):
    """Each partner pledges a monthly co-funding (``share``, k€/month): its capacity times
    its kind's usual share of the project's cost, within half of its own monthly means."""
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            share[i, k] = actors[a].capacity * min(ini[i].monthly_cost * COFUND[actors[a].kind],
                                                   PLEDGE_CAP * actors[a].income)
