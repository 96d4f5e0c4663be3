"""One month of the model: the submodels in their fixed order (docs/ODD.md, "Process
overview and scheduling"), compiled as one call so that a month costs one dispatch.

Every kernel takes the run's :class:`simulation.state.State` whole (``state``), its
:class:`Coefficients` (one float array per submodel, ``cf.funding``, read by the position
constants ``c[C_X]``) and the generator.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, types

from .outcomes import SERIES
from .state import (
    A_APPLICATIONS,
    A_ASSOC_APP_TIME,
    A_ASSOC_STAFF_TIME,
    A_GRANTS,
    A_IMPACT_ECO,
    A_INFLOW,
    A_INITIAL,
    A_MONTHS,
    A_SPENT,
    ACTING,
    AGREED,
    ASSOCIATION,
    N_WILL,
    NDIM,
    SEARCHING,
)
from .submodels import (
    ORDER,
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

MODULES = (elections, needs, emergence, partner_search, governance, funding, action,
           conflicts, outcomes, scaling, learning)

#: Every submodel's coefficients, one float64 array each (fields in :data:`ORDER`): its
#: ``Coefficients`` record as an array, since numba passes one array per submodel in a few
#: microseconds where it unboxed 154 floats of nested records one by one (about 50 us a call).
Coefficients = namedtuple("Coefficients", ORDER)

#: Slots of the timing buffer of :func:`step_month`: one per submodel (in :data:`ORDER`),
#: then the month's bookkeeping (staff time, will, the series row).
TIMING = (*ORDER, "bookkeeping")
T_ELECTIONS = TIMING.index("elections")
T_NEEDS = TIMING.index("needs")
T_EMERGENCE = TIMING.index("emergence")
T_PARTNER_SEARCH = TIMING.index("partner_search")
T_GOVERNANCE = TIMING.index("governance")
T_FUNDING = TIMING.index("funding")
T_ACTION = TIMING.index("action")
T_CONFLICTS = TIMING.index("conflicts")
T_OUTCOMES = TIMING.index("outcomes")
T_SCALING = TIMING.index("scaling")
T_LEARNING = TIMING.index("learning")
T_BOOKKEEPING = TIMING.index("bookkeeping")
NO_TIMING = np.zeros(0)

# --- columns of the monthly series, by name from simulation.outcomes.SERIES ---------------
_COL = {name: j for j, name in enumerate(SERIES)}
S_MONTH = _COL["month"]
S_IMPACT = _COL["impact"]
S_NEED_MEAN = _COL["need_mean"]
S_ACTIVE = _COL["alliances_active"]
S_SEARCHING = _COL["alliances_searching"]
S_SEEKING_FUNDS = _COL["alliances_seeking_funds"]
S_ENGAGEMENT = _COL["engagement"]
S_TRUST = _COL["trust_micro_macro"]
S_APPLICATIONS = _COL["applications"]
S_GRANTS = _COL["grants"]
S_ADMIN_BURDEN = _COL["admin_burden"]
S_BALANCES = _COL["money_balances"]
S_SPENT = _COL["money_spent"]
S_IN = _COL["money_in"]
S_LEDGER_ERROR = _COL["ledger_error"]


def coefficients(params) -> Coefficients:
    """Every submodel's coefficients (each module's named ``coefficients(params)`` record, as a
    float64 array in the order of its fields), by submodel name."""
    return Coefficients(**{m.__name__.rsplit(".", 1)[1]: np.array(m.coefficients(params), dtype=np.float64)
                           for m in MODULES})


# The monotonic clock of the C library, read from compiled code (about 30 ns a reading, and
# the kernels stay cacheable: the symbol is resolved by name, not by address).
_clock_gettime = types.ExternalFunction("clock_gettime", types.int32(types.int32, types.voidptr))
_CLOCK_MONOTONIC = 1  # Linux


@njit(cache=True)
def _now():
    buf = np.zeros(2, dtype=np.int64)  # struct timespec: seconds, nanoseconds
    _clock_gettime(_CLOCK_MONOTONIC, buf.ctypes)
    return buf[0] + buf[1] * 1e-9


@njit(cache=True)
def _lap(timing, slot, clock):
    """Add the seconds since ``clock`` to ``timing[slot]`` (if timing) and return the time."""
    if timing.shape[0] == 0:
        return 0.0
    now = _now()
    timing[slot] += now - clock
    return now


@njit(cache=True)
def begin_month(state):
    """The month's bookkeeping before the submodels: staff time freed, associations' staff
    counted, and the mean will of local actors (national and per territory) that the levers'
    practice reads (docs/ODD.md, section 3). Returns the associations' staff (persons).

    One pass over the actors: each territory's actors are one block (initialise.py: the
    territories' blocks in order, then the regional and national actors), so the sums run in
    actor order as a pass over all of them would."""
    territories, actors, acc, nat = state.territories, state.actors, state.acc, state.nat
    assoc_staff = 0.0
    will = 0.0
    n_local = 0
    nt = territories.shape[0]
    start = 0
    for t in range(nt + 1):  # each territory's block, then the regional and national actors
        end = territories[t].first_actor + territories[t].n_actors if t < nt else actors.shape[0]
        w = 0.0
        for a in range(start, end):
            actors[a].time_used = 0.0
            if actors[a].kind == ASSOCIATION:
                assoc_staff += actors[a].staff
            if not actors[a].national:
                will += actors[a].will
                n_local += 1
            w += actors[a].will
        if t < nt:
            territories[t].will = w / max(territories[t].n_actors, 1)
        start = end
    nat[N_WILL] = will / n_local if n_local > 0 else 0.0
    acc[A_ASSOC_STAFF_TIME] += assoc_staff
    return assoc_staff


@njit(cache=True)
def step_month(cf, month, state, rng, row, timing):
    """One month: the submodels of :data:`ORDER` in order, then the month's ``row`` of the
    series. ``timing`` is :data:`NO_TIMING` (empty), or a buffer to which each submodel adds
    its seconds (slots :data:`TIMING`), so that a profile times this very schedule."""
    needs_, actors, ini = state.needs, state.actors, state.initiatives
    members, engagement, acc = state.members, state.engagement, state.acc
    clock = _now() if timing.shape[0] > 0 else 0.0
    assoc_staff = begin_month(state)
    apps0 = acc[A_APPLICATIONS]
    app_time0 = acc[A_ASSOC_APP_TIME]
    grants0 = acc[A_GRANTS]
    clock = _lap(timing, T_BOOKKEEPING, clock)
    elections.step(cf.elections, month, state, rng)
    clock = _lap(timing, T_ELECTIONS, clock)
    needs.step(cf.needs, state)
    clock = _lap(timing, T_NEEDS, clock)
    emergence.step(cf.emergence, state, rng)
    clock = _lap(timing, T_EMERGENCE, clock)
    partner_search.step(cf.partner_search, month, state, rng)
    clock = _lap(timing, T_PARTNER_SEARCH, clock)
    governance.step(cf.governance, state, rng)
    clock = _lap(timing, T_GOVERNANCE, clock)
    funding.step(cf.funding, month, state, rng)
    clock = _lap(timing, T_FUNDING, clock)
    action.step(cf.action, state, rng)
    clock = _lap(timing, T_ACTION, clock)
    conflicts.step(cf.conflicts, state, rng)
    clock = _lap(timing, T_CONFLICTS, clock)
    outcomes.step(cf.outcomes, state, rng)
    clock = _lap(timing, T_OUTCOMES, clock)
    scaling.step(cf.scaling, cf.emergence, state, rng)
    clock = _lap(timing, T_SCALING, clock)
    learning.step(cf.learning, month, state)
    clock = _lap(timing, T_LEARNING, clock)
    acc[A_MONTHS] += 1
    # --- the month's row of the series -------------------------------------------------
    n_act = 0
    n_search = 0
    n_seek = 0
    eng = 0.0
    pots = 0.0
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        st = ini[i].status
        pots += ini[i].pot
        if st == ACTING:
            n_act += 1
            e = 0.0
            n = 0
            for k in range(members.shape[1]):
                if members[i, k] >= 0:
                    e += engagement[i, k]
                    n += 1
            eng += e / max(n, 1)
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
    row[S_MONTH] = month
    row[S_IMPACT] = acc[A_IMPACT_ECO] + acc[A_IMPACT_ECO + 1] + acc[A_IMPACT_ECO + 2]
    row[S_NEED_MEAN] = need / max(needs_.shape[0] * NDIM, 1)
    row[S_ACTIVE] = n_act
    row[S_SEARCHING] = n_search
    row[S_SEEKING_FUNDS] = n_seek
    row[S_ENGAGEMENT] = eng / n_act if n_act > 0 else 0.0
    row[S_TRUST] = trust / n_local if n_local > 0 else 0.0
    row[S_APPLICATIONS] = acc[A_APPLICATIONS] - apps0
    row[S_GRANTS] = acc[A_GRANTS] - grants0
    row[S_ADMIN_BURDEN] = (acc[A_ASSOC_APP_TIME] - app_time0) / assoc_staff if assoc_staff > 0.0 else 0.0
    row[S_BALANCES] = balances
    row[S_SPENT] = acc[A_SPENT]
    row[S_IN] = acc[A_INFLOW]
    row[S_LEDGER_ERROR] = (balances + acc[A_SPENT] - acc[A_INITIAL] - acc[A_INFLOW]) / max(
        acc[A_INITIAL] + acc[A_INFLOW], 1e-12)
    _lap(timing, T_BOOKKEEPING, clock)


@njit(cache=True)
def run_months(first, rows, cf, state, rng):
    """``len(rows)`` months from month ``first``: the same monthly kernel, looped in compiled
    code so that a batch run pays one dispatch instead of one per month."""
    no_timing = np.zeros(0)
    for m in range(rows.shape[0]):
        step_month(cf, first + m, state, rng, rows[m], no_timing)
