"""Funding: inflows of means, and grants under the funding regime in force.

Seed: « l'omniprésence et la complexité des appels à projets et des appels à manifestations
d'intérêts [...] transforment les porteurs de projets en responsables de réponses à AAP et
AMI. Ils consacrent beaucoup de temps à y répondre, avec peu de sélectionnés finalement »;
« rendez-vous manqués : des initiatives gâchées par manque d'adéquation des projets avec des
financements possibles »; « un lien direct entre le local et le national, facilitant les
financements ».

Funders (the State, national and local foundations) receive their yearly budget each
January; what is left of the previous one lapses. Other actors receive their means monthly
and spend on their own operations, each January, what exceeds a year of means. An alliance
seeks money when its pot does not cover the next grant period
(``time.grant_duration_months``). Each funder opens allocation rounds by mode:

- calls (``competitive_calls``; part of ``mixed``; local foundations under ``direct_link``):
  every ``funding.call_period_months``, one theme (a need dimension) per call when
  ``funding.themed_calls``; a holder applies when the expected value
  ``(wins + 1) / (applications + 2) * gap`` exceeds the staff cost of applying
  (``funding.application_cost`` FTE-months), when it has that staff time free and when it
  has not failed ``funding.max_failures`` times in a row (then it stops for a year: the
  funding model of Geard & Noble 2010, the brief's « Geard–Silverman »). Funders rank applications on
  ``seen * quality + visibility_bias * log(size) + 0.3 * log(1 + wins) + duty_f * need
  - max(0, risk - risk_tolerance_f) + noise``, quality being
  ``2 (0.5 + 0.5 skill) fit (1 - misalignment)`` and ``seen`` how much of it the funder can
  see (lever data: « les alliances ont besoin de données »); a funder's duty (*devoir*) favours needy
  territories, its tolerance of risk decides how far it backs risky projects (foundations
  « peuvent accepter le risque ») (visible and large
  holders favoured, Matthew effect: Bol et al. 2018) and fund down the ranking while the
  call's budget lasts
  (the last award may be partial, never under ``MIN_AWARD`` months of a median project's cost).
- pooled territorial fund (``pooled_fund``; part of ``mixed``): every local tempo, no theme,
  a quarter of the application cost, ranked by the territory's need and fragility.
- direct local–national link (``direct_link``, national funders): every month, no theme, a
  tenth of the application cost, ranked by the territory's need and fragility.

The success rate is an outcome. Funding pressure, read by partner search, is a moving
average of the share of requested money that was not awarded. Money moves only between balances and pots or out as
spending, so ``balances + spending = initial + inflows`` holds every month.
Lever: data (less information asymmetry: funders see the quality of what they fund and
rely less on holders' visibility).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import Params
from ..state import (
    ACTING,
    AGREED,
    ASSOCIATION,
    FOUNDATION,
    FTE_MONTH_KEUR,
    MONTHS_PER_YEAR,
    NDIM,
    STATE,
    K,
)
from .common import (
    A_APPLICATIONS,
    A_ASSOC_APP_TIME,
    A_GRANTS,
    A_INFLOW,
    A_SPENT,
    N_AWARDED,
    N_PRESSURE,
    N_REQUESTED,
    pledged,
    practised,
    record,
)
from .partner_search import staff_free

(C_CALLS, C_POOLED, C_DIRECT, C_NOISE, C_BIAS, C_COST, C_THEMED, C_MAX_FAIL, C_GRANT,
 C_CALL_PERIOD, C_LOCAL_TEMPO, C_STAFF_LIMIT, C_DIRECT_LOCAL_CALLS, C_PROJECT_COST,
 C_QUALITY, C_BIAS0, C_QUALITY0) = range(17)
Coefficients = namedtuple("Coefficients", (
    "calls pooled direct noise bias cost themed max_fail grant call_period local_tempo "
    "staff_limit direct_local_calls project_cost quality bias0 quality0"
))

MODE_CALLS, MODE_POOLED, MODE_DIRECT = 0, 1, 2
# application cost of each mode relative to a competitive call's
COST_FACTOR = np.array([1.0, value("application_cost_pooled"), value("application_cost_direct")])
MIN_AWARD = value("min_award")
TRACK_RECORD = value("track_record")
NEED_NOISE = value("need_noise")
COOLDOWN = int(value("cooldown"))
PRESSURE_MEMORY = value("pressure_memory")


def coefficients(p: Params) -> Coefficients:
    f = p.funding
    calls, pooled, direct = {
        "competitive_calls": (1.0, 0.0, 0.0),
        "pooled_fund": (0.0, 1.0, 0.0),
        "direct_link": (0.0, 0.0, 1.0),
        "mixed": (1.0 - f.pooled_share, f.pooled_share, 0.0),
    }[f.regime]
    bias = pair(p, "data", "bias")
    seen = pair(p, "data", "seen")
    return record(
        Coefficients,
        calls=calls, pooled=pooled, direct=direct,
        noise=f.selection_noise,
        bias=f.visibility_bias * bias[1], cost=f.application_cost,
        themed=1.0 if f.themed_calls else 0.0,
        max_fail=f.max_failures, grant=p.time.grant_duration_months,
        call_period=f.call_period_months,
        local_tempo=p.time.local_tempo_months, staff_limit=p.mechanisms.small_staff_limit,
        direct_local_calls=1.0 if f.regime == "direct_link" else 0.0,
        project_cost=f.project_cost,
        quality=seen[1],
        bias0=f.visibility_bias * bias[0], quality0=seen[0],
    )


@njit(cache=True)
def inflows(month, actors, acc):
    """January budgets for funders (the rest lapses); monthly means for the others."""
    january = month % MONTHS_PER_YEAR == 0
    for a in range(actors.shape[0]):
        kind = actors[a].kind
        if kind == STATE or kind == FOUNDATION:
            if january:
                acc[A_SPENT] += actors[a].money
                actors[a].money = actors[a].income * MONTHS_PER_YEAR
                acc[A_INFLOW] += actors[a].income * MONTHS_PER_YEAR
        else:
            actors[a].money += actors[a].income
            acc[A_INFLOW] += actors[a].income
            if january:
                extra = actors[a].money - MONTHS_PER_YEAR * actors[a].income
                if extra > 0.0:
                    actors[a].money -= extra
                    acc[A_SPENT] += extra


@njit(cache=True)
def gap(c, ini, members, share, i):
    """Money the alliance lacks for its next grant period, after its partners' pledges."""
    left = min(c[C_GRANT], ini[i].duration - ini[i].acting)
    return max(0.0, ini[i].monthly_cost - pledged(members, share, i)) * left - ini[i].pot


@njit(cache=True)
def quality(ini, members, actors, i):
    """What a well-informed funder would rank on: partners' skill, the path's fit to the
    territory and the partners' alignment, in the units of effectiveness (action)."""
    s = 0.0
    n = 0
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            s += actors[a].skill
            n += 1
    skill = s / n if n > 0 else 0.0
    return 2.0 * (0.5 + 0.5 * skill) * ini[i].fit * (1.0 - ini[i].misalign)


@njit(cache=True)
def allocate(c, mode, f, budget, theme, state, rng):
    """One allocation round of funder ``f``: applications, ranking, grants."""
    territories, needs, actors = state.territories, state.needs, state.actors
    ini, members, share, acc, nat = state.initiatives, state.members, state.share, state.acc, state.nat
    tmp_i, tmp_s = state.candidates, state.scores
    region = -1 if actors[f].national else actors[f].region
    cost = c[C_COST] * COST_FACTOR[mode]
    n = 0
    for i in range(ini.shape[0]):
        st = ini[i].status
        if not ((st == AGREED and ini[i].agreed) or st == ACTING):
            continue
        t = ini[i].territory
        if region >= 0 and territories[t].region != region:
            continue
        g = gap(c, ini, members, share, i)
        if g <= 0.0:
            continue
        if mode == MODE_CALLS and c[C_THEMED] > 0.0 and ini[i].dim != theme:
            continue
        h = ini[i].holder
        noise = rng.normal()
        if actors[h].cooldown > 0 or actors[h].failures >= c[C_MAX_FAIL]:
            continue
        if c[C_STAFF_LIMIT] > 0.0 and staff_free(actors[h]) < cost:
            continue
        p_hat = (actors[h].wins + 1.0) / (actors[h].applications + 2.0)
        if p_hat * min(g, budget) <= c[C_STAFF_LIMIT] * cost * FTE_MONTH_KEUR:
            continue
        actors[h].time_used += cost
        actors[h].app_time += cost
        actors[h].applications += 1
        acc[A_APPLICATIONS] += 1
        if actors[h].kind == ASSOCIATION:
            acc[A_ASSOC_APP_TIME] += cost
        need = 0.0
        for d in range(NDIM):
            need += needs[t, d]
        need /= NDIM
        if mode == MODE_CALLS:
            q = ini[i].practice  # data shared by the alliance's partners
            score = (practised(c[C_QUALITY0], c[C_QUALITY], q) * quality(ini, members, actors, i)
                     + practised(c[C_BIAS0], c[C_BIAS], q) * np.log(actors[h].size)
                     + TRACK_RECORD * np.log1p(actors[h].wins) + actors[f].duty * need
                     - max(0.0, ini[i].risk - actors[f].risk_tolerance) + c[C_NOISE] * noise)
        else:
            score = need + territories[t].fragility + NEED_NOISE * noise
        nat[N_REQUESTED] += g
        tmp_i[n] = i
        tmp_s[n] = score
        n += 1
    if n == 0:
        return
    order = np.argsort(-tmp_s[:n], kind="mergesort")
    for r in range(n):
        i = tmp_i[order[r]]
        h = ini[i].holder
        g = min(gap(c, ini, members, share, i), budget, actors[f].money)
        if g >= MIN_AWARD * c[C_PROJECT_COST]:
            budget -= g
            actors[f].money -= g
            ini[i].pot += g
            nat[N_AWARDED] += g
            if actors[f].national:
                ini[i].macro_funded = True
            actors[h].wins += 1
            actors[h].failures = 0
            actors[h].grants += g
            acc[A_GRANTS] += 1
        else:
            actors[h].failures += 1
            if actors[h].failures >= c[C_MAX_FAIL]:
                actors[h].cooldown = COOLDOWN
                actors[h].failures = 0
    return


@njit(cache=True)
def step(c, month, state, rng):
    actors, funders, acc, nat = state.actors, state.funders, state.acc, state.nat
    inflows(month, actors, acc)
    for a in range(actors.shape[0]):
        if actors[a].cooldown > 0:
            actors[a].cooldown -= 1
    nat[N_REQUESTED] = 0.0
    nat[N_AWARDED] = 0.0
    for j in range(funders.shape[0]):
        f = funders[j]
        national = actors[f].national
        tempo = int(c[C_CALL_PERIOD])
        calls = c[C_CALLS]
        direct = c[C_DIRECT] if national else 0.0
        if c[C_DIRECT_LOCAL_CALLS] > 0.0 and not national:
            calls = 1.0
        modes = ((MODE_CALLS, calls, tempo), (MODE_POOLED, c[C_POOLED], int(c[C_LOCAL_TEMPO])),
                 (MODE_DIRECT, direct, 1))
        for mode, part, period in modes:
            theme = rng.integers(0, NDIM)
            if part <= 0.0 or (month + j) % period != 0:
                continue
            budget = min(actors[f].money, actors[f].income * part * period)
            if budget > 0.0:
                allocate(c, mode, f, budget, theme, state, rng)
    if nat[N_REQUESTED] > 0.0:
        nat[N_PRESSURE] = ((1.0 - PRESSURE_MEMORY) * nat[N_PRESSURE]
                          + PRESSURE_MEMORY * (1.0 - nat[N_AWARDED] / nat[N_REQUESTED]))
