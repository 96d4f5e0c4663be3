"""One month of the model: the submodels in their fixed order (docs/ODD.md, "Process
overview and scheduling"), compiled as one call so that a month costs one dispatch."""

from __future__ import annotations

import numpy as np
from numba import njit

from .outcomes import SERIES
from .state import ACTING, AGREED, ASSOCIATION, NDIM, SEARCHING
from .submodels import (
    action,
    conflicts,
    elections,
    emergence,
    funding,
    governance,
    learning,
    needs,
    outcomes,
    partner_search,
    scaling,
)
from .submodels.common import (
    A_APPLICATIONS,
    A_ASSOC_APP_TIME,
    A_ASSOC_STAFF_TIME,
    A_GRANTS,
    A_IMPACT_ECO,
    A_INFLOW,
    A_INITIAL,
    A_MONTHS,
    A_SPENT,
    N_WILL,
)

MODULES = (elections, needs, emergence, partner_search, governance, funding, action,
           conflicts, outcomes, scaling, learning)
COL = {name: j for j, name in enumerate(SERIES)}


def coefficient_table(params) -> np.ndarray:
    """Every submodel's coefficients, one row each, in the order of MODULES."""
    rows = [m.coefficients(params) for m in MODULES]
    table = np.zeros((len(rows), max(len(r) for r in rows)))
    for j, r in enumerate(rows):
        table[j, :len(r)] = r
    return table


@njit(cache=True)
def begin_month(territories, actors, acc, nat):
    """The month's bookkeeping before the submodels: staff time freed, associations' staff
    counted, and the mean will of local actors (national and per territory) that the levers'
    practice reads (docs/ODD.md, section 3). Returns the associations' staff (persons)."""
    assoc_staff = 0.0
    will = 0.0
    n_local = 0
    for a in range(actors.shape[0]):
        actors[a].time_used = 0.0
        if actors[a].kind == ASSOCIATION:
            assoc_staff += actors[a].staff
        if not actors[a].national:
            will += actors[a].will
            n_local += 1
    nat[N_WILL] = will / n_local if n_local > 0 else 0.0
    for t in range(territories.shape[0]):
        w = 0.0
        a0 = territories[t].first_actor
        for a in range(a0, a0 + territories[t].n_actors):
            w += actors[a].will
        territories[t].will = w / max(territories[t].n_actors, 1)
    acc[A_ASSOC_STAFF_TIME] += assoc_staff
    return assoc_staff


@njit(cache=True)
def step_month(cf, month, territories, needs_, neighbours, actors, ini, weights, members,
               engagement, share, territory_impact, events, acc, nat, regional_foundation,
               funders, national_first, state_actor, rng, tmp_i, tmp_s, row):
    assoc_staff = begin_month(territories, actors, acc, nat)
    apps0 = acc[A_APPLICATIONS]
    app_time0 = acc[A_ASSOC_APP_TIME]
    grants0 = acc[A_GRANTS]
    elections.step(cf[0], month, territories, actors, ini, members, engagement, share, acc, rng)
    needs.step(cf[1], territories, needs_)
    emergence.step(cf[2], territories, needs_, actors, ini, weights, members, engagement, share,
                   acc, rng)
    partner_search.step(cf[3], month, territories, needs_, actors, ini, weights, members,
                        engagement, share, regional_foundation, national_first, state_actor,
                        acc, nat, rng)
    governance.step(cf[4], territories, actors, ini, members, engagement, share, acc, nat, rng)
    funding.step(cf[5], month, territories, needs_, actors, ini, members, share, funders, acc, nat,
                 rng, tmp_i, tmp_s)
    action.step(cf[6], territories, actors, ini, members, engagement, share, acc, nat, rng)
    conflicts.step(cf[7], territories, actors, ini, members, engagement, share, acc, rng)
    outcomes.step(cf[8], territories, needs_, neighbours, actors, ini, weights, members,
                  engagement, share, territory_impact, events, acc, nat, rng)
    scaling.step(cf[9], cf[2], territories, neighbours, actors, ini, weights, members,
                 engagement, share, events, acc, nat, rng)
    learning.step(cf[10], month, territories, actors, ini, members, nat)
    acc[A_MONTHS] += 1
    # --- the month's row of the series -------------------------------------------------
    n_act = 0
    n_search = 0
    n_seek = 0
    eng = 0.0
    pots = 0.0
    for i in range(ini.shape[0]):
        st = ini[i].status
        pots += ini[i].pot
        if st == ACTING:
            n_act += 1
            s = 0.0
            n = 0
            for k in range(members.shape[1]):
                if members[i, k] >= 0:
                    s += engagement[i, k]
                    n += 1
            eng += s / max(n, 1)
        elif st == SEARCHING:
            n_search += 1
        elif st == AGREED:
            n_seek += 1
    balances = pots
    trust = 0.0
    n_local = 0
    for a in range(actors.shape[0]):
        balances += actors[a].money
        if not actors[a].national:
            trust += actors[a].trust
            n_local += 1
    need = 0.0
    for t in range(needs_.shape[0]):
        for d in range(NDIM):
            need += needs_[t, d]
    row[0] = month
    row[1] = acc[A_IMPACT_ECO] + acc[A_IMPACT_ECO + 1] + acc[A_IMPACT_ECO + 2]
    row[2] = need / max(needs_.shape[0] * NDIM, 1)
    row[3] = n_act
    row[4] = n_search
    row[5] = n_seek
    row[6] = eng / n_act if n_act > 0 else 0.0
    row[7] = trust / n_local if n_local > 0 else 0.0
    row[8] = acc[A_APPLICATIONS] - apps0
    row[9] = acc[A_GRANTS] - grants0
    row[10] = (acc[A_ASSOC_APP_TIME] - app_time0) / assoc_staff if assoc_staff > 0.0 else 0.0
    row[11] = balances
    row[12] = acc[A_SPENT]
    row[13] = acc[A_INFLOW]
    row[14] = (balances + acc[A_SPENT] - acc[A_INITIAL] - acc[A_INFLOW]) / max(
        acc[A_INITIAL] + acc[A_INFLOW], 1e-12)


@njit(cache=True)
def run_months(first, rows, cf, territories, needs_, neighbours, actors, ini, weights, members,
               engagement, share, territory_impact, events, acc, nat, regional_foundation,
               funders, national_first, state_actor, rng, tmp_i, tmp_s):
    """``len(rows)`` months from month ``first``: the same monthly kernel, looped in compiled
    code so that a batch run pays one dispatch instead of one per month."""
    for m in range(rows.shape[0]):
        step_month(cf, first + m, territories, needs_, neighbours, actors, ini, weights, members,
                   engagement, share, territory_impact, events, acc, nat, regional_foundation,
                   funders, national_first, state_actor, rng, tmp_i, tmp_s, rows[m])
