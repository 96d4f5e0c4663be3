"""Action: alliances work, spend, progress; partners' engagement moves; partners exit.

Seed: engagement (*envie*) « entretient l'engagement » when victories are celebrated; « une
juste reconnaissance des contributions de chacun.e est indispensable pour maintenir
l'engagement dans le temps, or le macro ne peut pas voir où les contributions micro ont eu
lieu »; delays turn into inaction (« report ou retard des projets »); « le faire alliance,
comment on en sort ? »; the partners « veilleront à l'équilibre de la maison de chacun ».

Each month an acting alliance spends ``monthly_cost`` from its pot (if the pot is short it
pauses: no progress, engagement falls, and after ``time.patience_months`` of pause it is
abandoned); a month may also be lost to legal and administrative checks with probability
``LEGAL_DELAY * friction``: the project's clock runs, nothing is done (« report ou retard des projets [...] renforcé par des questions
juridiques »). Progress grows by ``effectiveness / (1 + overhead) / duration`` with

    effectiveness = (0.3 + 0.7 skill) * max(0, 1 - path_fit * (1 - fit))
                    * (0.4 + 0.6 engagement) * (1 + knowledge + research)
                    * (1 - misalignment) * (DUPLICATE_EFFECT if duplicate)
    overhead = sharing_overhead + coordination,  coordination = 0.04 * (n - 1) ** exponent

Each partner's engagement moves by progress and milestones, minus ``COORDINATION_STRAIN *
coordination``, minus its frustration
``frustration * control * |preferred path - chosen path|`` (Axelrod & Bennett 1993; halved
by an arranger), minus unfairness when a macro partner or funder cannot see its contribution
``unfairness * (1 - visible) * (1 - valuation)``, minus delays, minus the cost of an imposed
Charter (Delevoye: « une contrainte par une charte qui serait normative et contraignante »),
plus the net effect of transparency: a benefit rising as ``sqrt(reporting)`` against a
reporting cost rising as ``reporting``; a local partner of a macro alliance also gains
``TRANSPARENCY_TRUST * sqrt(reporting)`` of trust in the macro each month (« il y a besoin de
transparence pour la confiance ») (« si elle devient obligation (reporting, etc.) c'est
trop lourd à porter »). A partner whose engagement falls below ``EXIT_LEVEL``, or whose staff
is overcommitted (its house's balance), leaves: orderly (it leaves its money in the pot) or
conflictually (it takes back its share; the others lose engagement and, across levels,
trust falls three times faster than it is built: Slovic 1993).

Levers: sharing (overhead), experimentation (a failed step ends the alliance less often),
evaluation (failing alliances detected: fixed, or closed in order), contribution_valuation
(recognition), animation_governance (coordination cost no longer explodes with size),
exit_clause (orderly exits), celebration (milestone engagement).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import Params
from ..state import ACTING, K
from .common import (
    A_ABANDONED,
    A_ACTIVE_SUM,
    A_ALLIANCE_SPENT,
    A_ENG_N,
    A_ENG_SUM,
    A_EXIT_CONFLICT,
    A_EXIT_ORDERLY,
    A_INFLOW,
    A_SPENT,
    N_FRICTION,
    N_RESEARCH,
    N_SHARED_KNOWLEDGE,
    alliance_will,
    clip01,
    end_initiative,
    leave,
    mean_engagement,
    practice,
    practised,
    record,
    seat_of,
)
from .partner_search import WORK_TIME

(C_OVERHEAD, C_COORD_EXP, C_FAIL_ENDS, C_EVALUATE, C_VALUATION, C_ORDERLY, C_CELEBRATE,
 C_FRUSTRATION, C_UNFAIRNESS, C_PATH_FIT, C_CROWD_OUT, C_REPORTING, C_PATIENCE,
 C_ARRANGER_COST, C_OVERHEAD0, C_COORD_EXP0, C_FAIL_ENDS0, C_EVALUATE0, C_VALUATION0,
 C_ORDERLY0, C_CELEBRATE0, C_BY_WILL, C_SHARED) = range(23)
Coefficients = namedtuple("Coefficients", (
    "overhead coord_exp fail_ends evaluate valuation orderly celebrate frustration "
    "unfairness path_fit crowd_out reporting patience arranger_cost overhead0 coord_exp0 "
    "fail_ends0 evaluate0 valuation0 orderly0 celebrate0 by_will shared"
))

EXIT_LEVEL = value("exit_level")
COORDINATION_STRAIN = value("coordination_strain")
LEGAL_DELAY = value("legal_delay")
DUPLICATE_EFFECT = value("duplicate_effect")
SETBACK = value("setback")
PROGRESS_SCALE = value("progress_scale")
WORK_ENGAGEMENT = value("work_engagement")
MILESTONE_GAIN = value("milestone_gain")
TRUST_LOSS = value("trust_loss")
TRANSPARENCY_TRUST = value("transparency_trust")


def coefficients(p: Params) -> Coefficients:
    m = p.mechanisms
    overhead = pair(p, "sharing", "overhead")
    coord_exp = pair(p, "animation_governance", "coordination_exponent")
    fail_ends = pair(p, "experimentation", "fail_ends")
    evaluate = pair(p, "evaluation", "detect")
    valuation = pair(p, "contribution_valuation", "recognition")
    orderly = pair(p, "exit_clause", "orderly")
    celebrate = pair(p, "celebration", "milestone")
    imposed = p.governance.charter == "imposed" and m.will_dynamics
    return record(
        Coefficients,
        overhead=overhead[1], coord_exp=coord_exp[1], fail_ends=fail_ends[1],
        evaluate=evaluate[1], valuation=valuation[1], orderly=orderly[1],
        celebrate=celebrate[1],
        frustration=m.frustration, unfairness=m.unfairness, path_fit=m.path_fit,
        crowd_out=p.constants.crowd_out if imposed else 0.0,
        reporting=p.governance.reporting,
        patience=p.time.patience_months,
        arranger_cost=p.governance.arranger_cost,
        overhead0=overhead[0], coord_exp0=coord_exp[0], fail_ends0=fail_ends[0],
        evaluate0=evaluate[0], valuation0=valuation[0], orderly0=orderly[0],
        celebrate0=celebrate[0],
        by_will=p.constants.will_full if m.practice_by_will else 0.0,
        shared=p.governance.macro_steering if m.baronnies else 1.0,
    )


@njit(cache=True)
def exit_partner(i, k, orderly, ini, members, engagement, share, actors, acc):
    a = members[i, k]
    if orderly:
        acc[A_EXIT_ORDERLY] += 1
        leave(ini, members, engagement, share, actors, i, k, False)
        return
    acc[A_EXIT_CONFLICT] += 1
    national = actors[a].national
    leave(ini, members, engagement, share, actors, i, k, True)
    for j in range(K):
        b = members[i, j]
        if b >= 0:
            engagement[i, j] = clip01(engagement[i, j] - 0.05)
            if national != actors[b].national:
                actors[b].trust = clip01(actors[b].trust - TRUST_LOSS)


@njit(cache=True)
def step(c, state, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, engagement, share, acc = state.members, state.engagement, state.share, state.acc
    nat = state.nat
    research = nat[N_RESEARCH] + c[C_SHARED] * nat[N_SHARED_KNOWLEDGE]
    for i in range(ini.shape[0]):
        if ini[i].status != ACTING:
            continue
        u_setback = rng.random()
        u_fail = rng.random()
        u_eval = rng.random()
        u_orderly = rng.random()
        u_legal = rng.random()
        t = ini[i].territory
        n = ini[i].n
        q = practice(alliance_will(members, actors, i), c[C_BY_WILL])
        ini[i].practice = q
        if ini[i].arranged:
            acc[A_INFLOW] += c[C_ARRANGER_COST]
            acc[A_SPENT] += c[C_ARRANGER_COST]
            acc[A_ALLIANCE_SPENT] += c[C_ARRANGER_COST]
        for k in range(K):
            a = members[i, k]
            if a >= 0 and share[i, k] > 0.0:
                pay = min(actors[a].money, share[i, k])
                actors[a].money -= pay
                ini[i].pot += pay
        spend = min(ini[i].pot, ini[i].monthly_cost)
        delayed = u_legal < LEGAL_DELAY * nat[N_FRICTION]
        paused = spend < 0.25 * ini[i].monthly_cost and not delayed
        coordination = 0.04 * (n - 1.0) ** practised(c[C_COORD_EXP0], c[C_COORD_EXP], q)
        gain = 0.0
        if delayed:
            ini[i].acting += 1  # a month of the project lost to legal and administrative checks
        elif paused:
            ini[i].paused += 1
            if ini[i].paused > c[C_PATIENCE]:
                acc[A_ABANDONED] += 1
                end_initiative(ini, members, engagement, share, actors, territories, acc, i, A_SPENT)
                continue
        else:
            ini[i].paused = 0
            ini[i].pot -= spend
            acc[A_SPENT] += spend
            acc[A_ALLIANCE_SPENT] += spend
            skill = 0.0
            for k in range(K):
                if members[i, k] >= 0:
                    skill += actors[members[i, k]].skill
            skill /= n
            eng = mean_engagement(ini, members, engagement, i)
            fit = max(0.0, 1.0 - c[C_PATH_FIT] * (1.0 - ini[i].fit))
            eff = ((0.3 + 0.7 * skill) * fit * (0.4 + 0.6 * eng)
                   * (1.0 + territories[t].knowledge + ini[i].knowledge + research)
                   * (1.0 - ini[i].misalign) * (DUPLICATE_EFFECT if ini[i].duplicate else 1.0))
            overhead = practised(c[C_OVERHEAD0], c[C_OVERHEAD], q) + coordination
            scale = spend / ini[i].monthly_cost
            gain = eff * scale / (1.0 + overhead)  # work-months delivered this month
            ini[i].work += gain
            ini[i].progress += PROGRESS_SCALE * gain / ini[i].duration
            ini[i].acting += 1
        ini[i].gain = gain
        milestone = 0.0
        if ini[i].progress >= 0.25 * (ini[i].milestone + 1) and ini[i].milestone < 3:
            ini[i].milestone += 1
            milestone = MILESTONE_GAIN + practised(c[C_CELEBRATE0], c[C_CELEBRATE], q)
        macro = ini[i].national or ini[i].macro_funded
        r = c[C_REPORTING] if macro else 0.0
        arr = 0.5 if ini[i].arranged else 1.0
        valuation = practised(c[C_VALUATION0], c[C_VALUATION], q)
        for k in range(K):
            a = members[i, k]
            if a < 0:
                continue
            d = WORK_ENGAGEMENT * gain + milestone
            d -= COORDINATION_STRAIN * coordination
            d -= 0.08 * c[C_FRUSTRATION] * arr * actors[a].control * abs(actors[a].path - ini[i].path)
            if macro and not actors[a].national:
                d -= 0.02 * c[C_UNFAIRNESS] * (1.0 - ini[i].visible) * (1.0 - valuation)
            if paused or delayed:
                d -= 0.03
            d += 0.02 * np.sqrt(r) - 0.03 * r
            if not actors[a].national:
                actors[a].will -= c[C_CROWD_OUT] * actors[a].will
            if r > 0.0 and not actors[a].national:
                actors[a].trust = clip01(actors[a].trust + TRANSPARENCY_TRUST * np.sqrt(r))
            actors[a].time_used += 0.05 * r
            engagement[i, k] = clip01(engagement[i, k] + d)
        eng = mean_engagement(ini, members, engagement, i)
        acc[A_ENG_SUM] += eng
        acc[A_ENG_N] += 1
        acc[A_ACTIVE_SUM] += 1
        if u_setback < SETBACK * ini[i].risk:
            if u_fail < practised(c[C_FAIL_ENDS0], c[C_FAIL_ENDS], q):
                acc[A_ABANDONED] += 1
                end_initiative(ini, members, engagement, share, actors, territories, acc, i, A_SPENT)
                continue
            ini[i].progress = max(0.0, ini[i].progress - 0.03)
        evaluated = eng < 0.4 and u_eval < practised(c[C_EVALUATE0], c[C_EVALUATE], q)
        orderly = practised(c[C_ORDERLY0], c[C_ORDERLY], q)
        for k in range(K):
            a = members[i, k]
            if a < 0:
                continue
            if evaluated:
                engagement[i, k] = clip01(engagement[i, k] + 0.1)
            if engagement[i, k] < EXIT_LEVEL or actors[a].staff < actors[a].engaged * WORK_TIME:
                exit_partner(i, k, evaluated or u_orderly < orderly, ini, members,
                             engagement, share, actors, acc)
        if ini[i].n < 2 or seat_of(members, i, ini[i].holder) < 0:
            acc[A_ABANDONED] += 1
            end_initiative(ini, members, engagement, share, actors, territories, acc, i, A_SPENT)

