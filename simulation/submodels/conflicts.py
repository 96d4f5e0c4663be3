"""Conflicts: internal conflicts between partners, residents' opposition to initiatives
with local costs, the « alliance contre », and arbitration at an explicit level.

Seed: « au nom d'un même intérêt général, des acteurs peuvent avoir des approches
contradictoires » (pesticides, TGV, waste sites: « tout le monde en veut, mais pas chez
soi »); « comment arbitrer ? »; « parfois, seule la lutte rassemble [...] une alliance
contre »; the Charter's « dialoguer [...] y compris contradictoires » and « s'articuler à la
gestion de l'intérêt général, garantie par les élus compétents ».

Internal: an acting alliance has a conflict each month with probability
``0.02 * (1 + 2 misalignment + mean frustration) * training_factor``. Dialogue resolves it;
unresolved, every partner loses ``CONFLICT_LOSS`` engagement times ``1 - repair`` and, with
probability ``BREAK * (1 - repair)``, the least engaged partner leaves in conflict (Ansell &
Gash 2008: prior conflict and broken trust end collaborations); mutual trust is the repair.

Opposition: an agreed or acting initiative with local cost ``L`` builds opposition
``nimby * L * (1 - resident_trust) * OPPOSITION_RATE`` per month. At 1 it goes to
arbitration. Dialogue can reach a compromise first (local cost halved, no block; mechanism
``dialogue_compromise``: without it the chance of a compromise stays at its value without
the lever);
otherwise the level decides: the chance of a block is ``min(1, LEVEL_BLOCK[level] * weight
* (1 - OFFICIAL_WEIGHT[level] * support))``, ``weight`` being 1 for the residents alone.
A national arbitration that overrides the locals costs the alliance's local partners trust
in the macro.

The « alliance contre » (mechanism ``opposition_coalition``; « Parfois, seule la lutte
rassemble, et non la recherche de l'intérêt général. Par exemple, l'alliance entre les gilets
jaunes et les écologistes est en réalité une « alliance contre » »): once the residents'
opposition passes ``OPPOSED``, the territory's local actors who are not partners of the
initiative may ally against it. Each month each one with a free seat and free staff time
(``slots``, ``staff_free``: the fight is an alliance like another, it takes a seat and
``WORK_TIME`` of staff a month while it lasts) joins with chance ``RALLY * L * (1 -
resident_trust)``. At arbitration each member adds its voice to the residents' weight:
``COALITION`` for an association, a firm or a foundation, and for the local executive the
weight its level gives an official (``OFFICIAL_WEIGHT[level]``, as when it supports an
initiative): who is in the coalition decides how likely a block is. The coalition dissolves
when the arbitration is over (block, compromise or overruled) or the initiative ends.

Articulation with the public interest works through the elected officials who hold it
(« s'articuler à la gestion de l'intérêt général, garantie par les élus compétents »;
« je suis élu, j'ai le droit de décider »): the alliance's ``support`` is the articulation
practised when the territory's local executive is one of its partners, 0 otherwise
(mechanism ``officials_support``). A supporting official negotiates with the residents who
elected it (``NEGOTIATION * resolve * support`` of the opposition falls each month) and
defends the initiative at arbitration with the weight its level gives it: full at a local
arbitration, less at a regional one, little at a national one (``OFFICIAL_WEIGHT``), so the
level chosen changes who wins. Without an official partner, articulation does nothing here;
its other pathway is the executive's public co-funding of the initiatives it supports
(funding, mechanism ``public_cofunding``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import ARBITRATION_LEVELS, Params
from ..state import ACTING, AGREED, MIN_PARTNERS, NATIONAL, K
from .common import (
    A_ABANDONED,
    A_BLOCKED,
    A_SPENT,
    TRUST_LOSS,
    WORK_TIME,
    clip01,
    end_initiative,
    exit_partner,
    practised,
    record,
    seat_of,
    slots,
    staff_free,
)

(C_TRAINING, C_RESOLVE, C_REPAIR, C_ARTICULATION, C_COMPROMISE, C_NIMBY, C_LEVEL,
 C_FRUSTRATION, C_TRAINING0, C_RESOLVE0, C_REPAIR0, C_ARTICULATION0, C_COMPROMISE0,
 C_SUPPORT, C_COALITION) = range(15)  # C_COALITION: the rally chance (0: no « alliance contre »)
Coefficients = namedtuple("Coefficients", (
    "training resolve repair articulation compromise nimby level frustration training0 "
    "resolve0 repair0 articulation0 compromise0 support coalition"
))

LEVEL_BLOCK = np.array([value("block_local"), value("block_regional"), value("block_national")])
OFFICIAL_WEIGHT = np.array([value("official_weight_local"), value("official_weight_regional"),
                            value("official_weight_national")])
NEGOTIATION = value("negotiation")
OPPOSITION_RATE = value("opposition_rate")
BREAK = value("break")
CONFLICT_LOSS = value("conflict_loss")
CONFLICT_RATE = value("conflict_rate")
MISALIGN_CONFLICT = value("misalign_conflict")
OPPOSED = value("opposed")
COALITION = value("coalition")
COMPROMISE_COST = value("compromise_cost")


def coefficients(p: Params) -> Coefficients:
    training = pair(p, "training", "conflict")
    resolve = pair(p, "dialogue", "resolve")
    repair = pair(p, "mutual_trust", "repair")
    articulation = pair(p, "public_interest_articulation", "articulation")
    compromise = pair(p, "dialogue", "compromise")
    if not p.mechanisms.dialogue_compromise:  # the knockout: dialogue buys no compromise
        compromise = (compromise[0], compromise[0])
    return record(
        Coefficients,
        training=training[1], resolve=resolve[1], repair=repair[1],
        articulation=articulation[1], compromise=compromise[1],
        nimby=p.mechanisms.nimby,
        level=ARBITRATION_LEVELS.index(p.governance.arbitration_level),
        frustration=p.mechanisms.frustration,
        training0=training[0], resolve0=resolve[0], repair0=repair[0],
        articulation0=articulation[0], compromise0=compromise[0],
        support=1.0 if p.mechanisms.officials_support else 0.0,
        coalition=p.constants.rally if p.mechanisms.opposition_coalition else 0.0,
    )


@njit(cache=True)
def lever(c, j, q):
    """Lever column ``j`` (C_TRAINING ... C_COMPROMISE) practised at ``q``."""
    return practised(c[j + C_TRAINING0], c[j], q)


@njit(cache=True)
def internal(c, state, i, u_conflict, u_resolve):
    ini, members, engagement, actors = state.initiatives, state.members, state.engagement, state.actors
    frustration = 0.0
    n = 0
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            frustration += actors[a].control * abs(actors[a].path - ini[i].path)
            n += 1
    frustration = c[C_FRUSTRATION] * frustration / max(n, 1)
    q = ini[i].practice
    p = CONFLICT_RATE * (1.0 + MISALIGN_CONFLICT * ini[i].misalign + frustration) * lever(c, C_TRAINING, q)
    if u_conflict >= p or u_resolve < lever(c, C_RESOLVE, q):
        return False
    for k in range(K):
        if members[i, k] >= 0:
            engagement[i, k] = clip01(engagement[i, k] - CONFLICT_LOSS * lever(c, C_REPAIR, q))
    return True


@njit(cache=True)
def least_engaged(members, engagement, i):
    best = -1
    for k in range(K):
        if members[i, k] >= 0 and (best < 0 or engagement[i, k] < engagement[i, best]):
            best = k
    return best


@njit(cache=True)
def contested(ini, j):
    """Whether initiative ``j`` is one an opposition fights (agreed or acting, local cost)."""
    st = ini[j].status
    return (st == ACTING or (st == AGREED and ini[j].agreed)) and ini[j].local_cost > 0.0


@njit(cache=True)
def rally(state, i, rate, rng):
    """The month's recruits of the « alliance contre » initiative ``i``: each local actor of
    its territory that is not its partner, fights nothing else, and has a free seat and free
    staff time joins with chance ``rate * local_cost * (1 - resident_trust)`` (``rate``:
    ``constants.rally``); it holds a
    seat (``engaged``) while the fight lasts."""
    territories, actors, ini, members = state.territories, state.actors, state.initiatives, state.members
    t = ini[i].territory
    p = rate * ini[i].local_cost * (1.0 - territories[t].resident_trust)
    a0 = territories[t].first_actor
    for a in range(a0, a0 + territories[t].n_actors):
        if (actors[a].opposing >= 0 or actors[a].national or seat_of(members, i, a) >= 0
                or actors[a].engaged >= slots(actors[a]) or staff_free(actors[a]) < WORK_TIME):
            continue
        if rng.random() < p:
            actors[a].opposing = i
            actors[a].engaged += 1
            territories[t].opposers += 1


@njit(cache=True)
def voices(state, i, level):
    """What the coalition against ``i`` adds to the residents' weight at arbitration: the
    local executive the weight its level gives an official, any other member ``COALITION``."""
    territories, actors, ini = state.territories, state.actors, state.initiatives
    t = ini[i].territory
    a0 = territories[t].first_actor
    w = 0.0
    for a in range(a0, a0 + territories[t].n_actors):
        if actors[a].opposing == i:
            w += OFFICIAL_WEIGHT[level] if a == territories[t].official else COALITION
    return w


@njit(cache=True)
def dissolve(state, i):
    """The coalition against ``i`` disbands: its members get their seat back."""
    territories, actors, ini = state.territories, state.actors, state.initiatives
    t = ini[i].territory
    a0 = territories[t].first_actor
    for a in range(a0, a0 + territories[t].n_actors):
        if actors[a].opposing == i:
            actors[a].opposing = -1
            actors[a].engaged -= 1
            territories[t].opposers -= 1


@njit(cache=True)
def disband_stale(state):
    """Coalitions whose initiative ended, or was settled, disband. Only the territories
    with members of a coalition (``opposers``) are visited: their local actors, in order."""
    territories, actors, ini = state.territories, state.actors, state.initiatives
    for t in range(territories.shape[0]):
        if territories[t].opposers <= 0:
            continue
        a0 = territories[t].first_actor
        for a in range(a0, a0 + territories[t].n_actors):
            j = actors[a].opposing
            if j >= 0 and not (contested(ini, j) and ini[j].territory == actors[a].territory):
                actors[a].opposing = -1
                actors[a].engaged -= 1
                territories[t].opposers -= 1


@njit(cache=True)
def step(c, state, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, engagement, acc = state.members, state.engagement, state.acc
    level = int(c[C_LEVEL])
    if c[C_COALITION] > 0.0:
        disband_stale(state)
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        st = ini[i].status
        if st != ACTING and not (st == AGREED and ini[i].agreed):
            continue
        u_conflict = rng.random()
        u_resolve = rng.random()
        u_compromise = rng.random()
        u_block = rng.random()
        u_break = rng.random()
        q = ini[i].practice
        repair = lever(c, C_REPAIR, q)
        articulation = lever(c, C_ARTICULATION, q)
        if st == ACTING and internal(c, state, i, u_conflict, u_resolve):
            if u_break < repair * BREAK:
                k = least_engaged(members, engagement, i)
                exit_partner(state, i, k, False)
                if ini[i].n < MIN_PARTNERS or seat_of(members, i, ini[i].holder) < 0:
                    acc[A_ABANDONED] += 1
                    end_initiative(state, i, A_SPENT)
                    continue
        if ini[i].local_cost <= 0.0:
            continue
        t = ini[i].territory
        support = articulation if (c[C_SUPPORT] > 0.0
                                   and seat_of(members, i, territories[t].official) >= 0) else 0.0
        ini[i].opposition += (c[C_NIMBY] * ini[i].local_cost * (1.0 - territories[t].resident_trust)
                              * OPPOSITION_RATE)
        ini[i].opposition *= 1.0 - NEGOTIATION * lever(c, C_RESOLVE, q) * support
        if c[C_COALITION] > 0.0 and ini[i].opposition >= OPPOSED:
            rally(state, i, c[C_COALITION], rng)
        if ini[i].opposition < 1.0:
            continue
        weight = 1.0 + (voices(state, i, level) if c[C_COALITION] > 0.0 else 0.0)
        if c[C_COALITION] > 0.0:
            dissolve(state, i)
        if u_compromise < lever(c, C_COMPROMISE, q):
            ini[i].local_cost *= COMPROMISE_COST
            ini[i].opposition = 0.0
            continue
        if u_block < LEVEL_BLOCK[level] * weight * (1.0 - OFFICIAL_WEIGHT[level] * support):
            acc[A_BLOCKED] += 1
            end_initiative(state, i, A_SPENT)
            continue
        ini[i].local_cost = 0.0
        ini[i].opposition = 0.0
        if level == NATIONAL:
            for k in range(K):
                a = members[i, k]
                if a >= 0 and not actors[a].national:
                    actors[a].trust = clip01(actors[a].trust - TRUST_LOSS)
