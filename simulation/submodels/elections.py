"""Elections: municipal elections, turnover and withdrawal of public support.

Seed: « le temps d'un élu local ou d'un riverain n'est pas le même que celui d'un projet de
long terme » (tensions temporelles, France Teytu's group), and « Je suis élu, j'ai le droit
de décider » (Jean-Paul Delevoye). Every territory votes the same month unless
``time.stagger_elections``. With probability ``time.turnover_probability`` the local
executive changes: the new official has a fresh will (drawn as at the start, times
``actors.will_scale``) and skill and a new preferred path
(mechanism ``executive_change``: without it the executive changes in name only);
in each alliance its predecessor had joined, it withdraws with probability
``mechanisms.election_withdrawal``, taking back its share of the pot. The alliance then
goes on with probability ``(1 - official's share of the pledges) * (1 - LEGITIMACY_LOSS)``
(its public co-funding and its legitimacy are lost), else it is abandoned.

An official's planning horizon is the rest of its term (read in partner_search).

With both consequences of an election switched off (no ``executive_change`` and no
``election_withdrawal``), an election changes nothing, so it is not simulated at all: it
draws no random numbers, and two runs that differ only in their electoral cycle then follow
the same random stream (the knockout of observation 3 is exact, not blurred by a stream
shifted by the extra draws of more frequent elections).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..params import Params
from ..state import AGREED, MIN_PARTNERS, K
from .common import A_ABANDONED, A_ELECTION_ABANDON, A_SPENT, by_territory, end_initiative, leave, record

C_CYCLE, C_TURNOVER, C_WITHDRAW, C_WILL, C_SKILL, C_HETERO, C_CHANGE, C_WILL_SCALE = range(8)
Coefficients = namedtuple("Coefficients", "cycle turnover withdraw will skill hetero change will_scale")
LEGITIMACY_LOSS = value("legitimacy_loss")
TRAIT_SPREAD = value("trait_spread")


def coefficients(p: Params) -> Coefficients:
    return record(Coefficients, cycle=p.time.electoral_cycle_months,
                  turnover=p.time.turnover_probability,
                  withdraw=p.mechanisms.election_withdrawal, will=p.actors.official.will,
                  skill=p.actors.official.skill, hetero=p.actors.path_heterogeneity,
                  change=1.0 if p.mechanisms.executive_change else 0.0,
                  will_scale=p.actors.will_scale)




@njit(cache=True)
def step(c, month, state, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, acc = state.members, state.acc
    if c[C_CHANGE] <= 0.0 and c[C_WITHDRAW] <= 0.0:
        return  # an election without consequences: nothing to draw (see the docstring)
    cycle = int(c[C_CYCLE])
    start = np.zeros(0, np.int64)  # the agreed and acting initiatives by territory, once needed
    order = np.zeros(0, np.int64)
    for t in range(territories.shape[0]):
        if month == 0 or (month - territories[t].election_offset) % cycle != 0:
            continue
        if rng.random() >= c[C_TURNOVER]:
            continue
        o = territories[t].official
        will = min(1.0, c[C_WILL] * (1.0 - TRAIT_SPREAD + 2.0 * TRAIT_SPREAD * rng.random()))
        will = min(1.0, will * c[C_WILL_SCALE])  # as at the start (initialise): the scale holds
        skill = min(1.0, c[C_SKILL] * (1.0 - TRAIT_SPREAD + 2.0 * TRAIT_SPREAD * rng.random()))
        p = territories[t].ideal_path + c[C_HETERO] * rng.normal()
        if c[C_CHANGE] > 0.0:  # the same draws either way: the knockout keeps seeds paired
            actors[o].will = will
            actors[o].skill = skill
            actors[o].path = min(1.0, max(0.0, p))
        if start.shape[0] == 0:
            start, order = by_territory(state, AGREED)
        for j in range(start[t], start[t + 1]):
            i = order[j]
            if ini[i].status < AGREED:  # ended earlier this month
                continue
            k = -1
            for s in range(K):
                if members[i, s] == o:
                    k = s
            if k < 0 or rng.random() >= c[C_WITHDRAW]:
                continue
            kept = leave(state, i, k, True)
            if ini[i].n < MIN_PARTNERS or rng.random() >= kept * (1.0 - LEGITIMACY_LOSS):
                acc[A_ELECTION_ABANDON] += 1
                acc[A_ABANDONED] += 1
                end_initiative(state, i, A_SPENT)
