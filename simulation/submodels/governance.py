"""Governance: agreement on a shared objective, the path chosen under the power-sharing
rule, partners' money commitments, and the start of action.

Seed: « la collaboration, le faire alliance, nécessite de lâcher du lest. Vouloir tout
contrôler est contre-productif »; « il faut avoir un cadre commun et partagé, avec un
objectif commun, mais pas de contrainte sur la manière d'atteindre cet objectif »;
« attention au risque de trop de présence du macro »; « pas un chef d'orchestre mais un
arrangeur ».

The path is a point in [0, 1]; each partner prefers one (``actor.path``), the national
standard is ``P_STANDARD``. A rule is a way of weighting partners:

- ``macro_led``: national partners and the State's standard decide;
- ``proportional``: weights are the money pledged (« qui paie décide »);
- ``equal``: one partner, one voice;
- ``subsidiarity``: local partners choose the path, national ones bring means only;
- ``arranger``: weights are partners' control preferences (the weighted mean minimises the
  summed squared frustration), and a territorial catalyst mediates (see action).

Outside ``macro_led`` and ``subsidiarity`` the State's steering ``s =
governance.macro_steering`` pulls the path towards its standard (« attention au risque de trop
de présence du macro »; « le macro peut les y aider, mais pas de manière homogène »):
``path = (1 - pull s) * sum(w p) / sum(w) + pull s * P_STANDARD`` (``constants.pull``) (mechanism
``imposed_path``). Steering also gives the shared frame: each partner knows the
national frame (objectives, vocabulary) with probability ``s``, and an alliance shares a frame
when at least one partner brings it (probability ``1 - (1 - s) ** n``); an alliance without one
is a « baronnie locale » whose partners' objectives diverge more: ``misalignment *= 1 + frame`` (``constants.frame``)
(mechanism ``baronnies``; the arranger « sans que les différents territoires [...] ne
deviennent des "baronnies locales" »; « il faut avoir un cadre commun et partagé, avec un
objectif commun, mais pas de contrainte sur la manière d'atteindre cet objectif »).
The alliance's fit to its territory is ``1 - |path - ideal_path|`` (« maintenir les
spécificités territoriales »). When every partner and every territory prefers the national
standard, the path, hence every outcome, is the same under every rule.

An agreed alliance starts acting, each month with the start probability times
``1 - friction``, once its pot and three months of pledges cover the start cover share of its
next three months' cost.

Levers: sdg_frame (shared vocabulary: less objective misalignment, more visible
contributions), shared_objectives (objectives turned into acts: a higher start probability
and a lower start cover, i.e. partners act with the means in hand), tools (cheaper set-up). Agreement also needs the holder's staff time for the set-up.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import RULES, Params
from ..state import ACTING, AGREED, ASSOCIATION, FIRM, KIND_NAMES, N_KINDS, OFFICIAL, K
from .common import (
    A_ABANDONED,
    A_CONTESTED,
    A_FORMED,
    A_FORMED_NATIONAL,
    A_FORMED_TWO_ASSOC,
    A_FORMED_TYPES,
    A_LOST,
    A_MISSED,
    A_PATH_SQ,
    A_PATH_SUM,
    A_SPENT,
    N_FRICTION,
    alliance_will,
    end_initiative,
    pledged,
    practice,
    practised,
    record,
)
from .partner_search import WORK_TIME, staff_free

(C_RULE, C_PULL, C_VISIBLE, C_MISALIGN, C_START, C_SETUP, C_PATIENCE,
 C_ARRANGER_CAP, C_COVER, C_FRAME, C_VISIBLE0, C_MISALIGN0, C_START0, C_SETUP0, C_COVER0,
 C_BY_WILL, C_FRAME_EXTRA) = range(17)
Coefficients = namedtuple("Coefficients", (
    "rule pull visible misalign start setup patience arranger_cap cover frame visible0 "
    "misalign0 start0 setup0 cover0 by_will frame_extra"
))

MACRO_LED, PROPORTIONAL, EQUAL, SUBSIDIARITY, ARRANGER = range(5)
P_STANDARD = value("p_standard")
# share of a project's monthly cost each kind co-funds, in the order of Kind
COFUND = np.array([value(f"cofund_{kind}") for kind in KIND_NAMES])
PLEDGE_CAP = value("pledge_cap")
MISALIGN_MAX = value("misalign_max")
COVER_MONTHS = int(value("cover_months"))


def coefficients(p: Params) -> Coefficients:
    m = p.mechanisms
    steer = p.governance.macro_steering
    visible = pair(p, "sdg_frame", "visible")
    misalign = pair(p, "sdg_frame", "misalign")
    start = pair(p, "shared_objectives", "start")
    setup = pair(p, "tools", "setup")
    cover = pair(p, "shared_objectives", "cover")
    return record(
        Coefficients,
        rule=RULES.index(p.governance.rule),
        pull=p.constants.pull * steer if m.imposed_path else 0.0,
        visible=visible[1], misalign=misalign[1], start=start[1], setup=setup[1],
        patience=p.time.patience_months,
        arranger_cap=p.governance.arranger_capacity,
        cover=cover[1],
        frame=steer if m.baronnies else 1.0,
        visible0=visible[0], misalign0=misalign[0], start0=start[0], setup0=setup[0],
        cover0=cover[0],
        by_will=p.constants.will_full if m.practice_by_will else 0.0,
        frame_extra=p.constants.frame,
    )


@njit(cache=True)
def choose_path(c, ini, members, share, actors, i):
    rule = int(c[C_RULE])
    total = pledged(members, share, i)
    num = 0.0
    den = 0.0
    for k in range(K):
        a = members[i, k]
        if a < 0:
            continue
        if rule == MACRO_LED:
            w = 1.0 if actors[a].national else 0.0
        elif rule == PROPORTIONAL:
            w = share[i, k] / total if total > 0.0 else 1.0 / ini[i].n
        elif rule == SUBSIDIARITY:
            w = 0.0 if actors[a].national else 1.0
        elif rule == ARRANGER:
            w = actors[a].control + 1e-6
        else:
            w = 1.0
        num += w * actors[a].path
        den += w
    if rule == MACRO_LED:
        return (num + P_STANDARD) / (den + 1.0)
    chosen = num / den if den > 0.0 else P_STANDARD
    if rule == SUBSIDIARITY:
        return chosen
    pull = c[C_PULL]
    return (1.0 - pull) * chosen + pull * P_STANDARD


@njit(cache=True)
def commit(ini, members, share, actors, i):
    """Each partner pledges a monthly co-funding (``share``, k€/month): its capacity times
    its kind's usual share of the project's cost, within half of its own monthly means."""
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            share[i, k] = actors[a].capacity * min(ini[i].monthly_cost * COFUND[actors[a].kind],
                                                   PLEDGE_CAP * actors[a].income)


@njit(cache=True)
def agree(c, state, i, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, share, acc = state.members, state.share, state.acc
    t = ini[i].territory
    ini[i].agreed = True
    acc[A_FORMED] += 1
    kinds = np.zeros(N_KINDS, np.int64)
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            kinds[actors[a].kind] += 1
            actors[a].partnered = True
            actors[a].alliances_joined += 1
    acc[A_FORMED_TYPES] += np.sum(kinds > 0)
    if ini[i].national:
        acc[A_FORMED_NATIONAL] += 1
    if kinds[ASSOCIATION] >= 2:
        acc[A_FORMED_TWO_ASSOC] += 1
    if kinds[OFFICIAL] > 0:
        for k in range(K):
            a = members[i, k]
            if a >= 0 and actors[a].kind == ASSOCIATION:
                actors[a].with_authority = True
    if kinds[FIRM] > 0:
        for k in range(K):
            a = members[i, k]
            if a >= 0 and actors[a].kind == ASSOCIATION:
                actors[a].with_firm = True
    if ini[i].local_cost > 0.0:
        ini[i].contested = True
        acc[A_CONTESTED] += 1
    commit(ini, members, share, actors, i)
    path = choose_path(c, ini, members, share, actors, i)
    ini[i].path = path
    ini[i].fit = 1.0 - abs(path - territories[t].ideal_path)
    acc[A_PATH_SUM] += path
    acc[A_PATH_SQ] += path * path
    q = practice(alliance_will(members, actors, i), c[C_BY_WILL])
    ini[i].practice = q
    ini[i].visible = practised(c[C_VISIBLE0], c[C_VISIBLE], q)
    framed = rng.random() < 1.0 - (1.0 - c[C_FRAME]) ** ini[i].n
    ini[i].misalign = (MISALIGN_MAX * rng.random() * practised(c[C_MISALIGN0], c[C_MISALIGN], q)
                       * (1.0 if framed else 1.0 + c[C_FRAME_EXTRA]))
    if int(c[C_RULE]) == ARRANGER and territories[t].arranged < c[C_ARRANGER_CAP]:
        ini[i].arranged = True
        territories[t].arranged += 1


@njit(cache=True)
def step(c, state, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, share, acc, nat = state.members, state.share, state.acc, state.nat
    for i in range(ini.shape[0]):
        if ini[i].status != AGREED:
            continue
        u = rng.random()
        if not ini[i].agreed:
            holder = ini[i].holder
            setup = practised(c[C_SETUP0], c[C_SETUP], practice(actors[holder].will, c[C_BY_WILL]))
            if staff_free(actors[holder]) >= setup + WORK_TIME:
                actors[holder].time_used += setup
                agree(c, state, i, rng)
            else:
                ini[i].wait += 1
                if ini[i].wait > c[C_PATIENCE]:
                    acc[A_LOST] += 1
                    end_initiative(state, i, A_SPENT)
                continue
        months = min(COVER_MONTHS, ini[i].duration)
        q = ini[i].practice
        ready = (ini[i].pot + months * pledged(members, share, i)
                 >= practised(c[C_COVER0], c[C_COVER], q) * ini[i].monthly_cost * months)
        if ready and u < practised(c[C_START0], c[C_START], q) * (1.0 - nat[N_FRICTION]):
            ini[i].status = ACTING
            ini[i].wait = 0
            territories[ini[i].territory].active += 1
            continue
        ini[i].wait += 1
        if ini[i].wait > c[C_PATIENCE]:
            acc[A_ABANDONED] += 1
            if not ready:
                acc[A_MISSED] += 1
            end_initiative(state, i, A_SPENT)
