"""The actors' initial values, filled in one compiled pass (what :func:`simulation.initialise.initialise`
used to do by some hundred numpy calls on the record array's fields, 1 ms of a 10 ms run).

The random numbers are numpy's, drawn by initialise in its own order and handed over whole; only
the arithmetic runs here, operation by operation as numpy did it (products and sums in the same
order, ``np.clip`` as ``min(max(x, lo), hi)``, no fast-math), so that the state is bit for bit the
same. What numpy computes with its own vectorised routines (``exp``, sums) stays in initialise.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from .state import ASSOCIATION, FIRM, FOUNDATION, MONTHS_PER_YEAR, OFFICIAL, STATE

#: Kinds in the order initialise draws their traits' factors (one (8, n) block per kind).
TRAIT_ORDER = (OFFICIAL, ASSOCIATION, FIRM, FOUNDATION, STATE)


@njit(cache=True)
def _clip01(x):
    return min(max(x, 0.0), 1.0)


#: The random numbers initialise draws for the actors, in its order (see :func:`fill_actors`).
Drawn = namedtuple("Drawn", "path_noise assoc_size firm_size branch national_path factors")
#: The scalars of :func:`fill_actors`.
Setup = namedtuple("Setup", "n_local per_region hetero will_scale branch_horizon state_budget "
                            "national_found_budget start_reserve")


@njit(cache=True)
def fill_actors(actors, ter, n_assoc, n_firm, drawn, traits, found_budget, k):
    """Fill ``actors`` (zeroed, ``territory`` and ``opposing`` -1, ``size`` 1) as initialise
    describes, from the territories ``ter`` (region, ideal path) and their numbers of
    associations and firms. ``drawn`` (:data:`Drawn`): ``path_noise``, one standard normal per
    local actor; ``assoc_size`` and ``firm_size``, sizes in actor order; ``branch``, whether each
    territory's first firm is a national branch (in order of the territories with a firm);
    ``national_path``, the regional and national actors' paths before clipping; ``factors``, the
    traits' factors, one (8, n) block per kind of :data:`TRAIT_ORDER`, side by side.
    ``traits[kind]``: will, duty, capacity, risk tolerance, trust, control, skill, horizon, staff,
    money. ``found_budget[r]``: a regional foundation's added monthly income in region ``r``.
    ``k`` (:data:`Setup`): local actors, foundations per region, path heterogeneity, will's scale,
    a branch's horizon, the State's and each national foundation's added monthly income, months
    of means in reserve. Returns the index of the State."""
    n_local = k.n_local
    hetero = k.hetero
    path_noise, assoc_size, firm_size = drawn.path_noise, drawn.assoc_size, drawn.firm_size
    branch_draw, national_path, factors = drawn.branch, drawn.national_path, drawn.factors
    n_ter = ter.shape[0]
    n_regions = found_budget.shape[0]
    n_total = actors.shape[0]
    # --- local actors: per territory, its official, associations, then firms ----------------
    a = 0
    ja = 0
    jf = 0
    jb = 0
    for t in range(n_ter):
        for rank in range(1 + n_assoc[t] + n_firm[t]):
            actors[a].territory = t
            actors[a].region = ter[t].region
            if rank == 0:
                actors[a].kind = OFFICIAL
            elif rank <= n_assoc[t]:
                actors[a].kind = ASSOCIATION
            else:
                actors[a].kind = FIRM
            actors[a].path = ter[t].ideal_path + hetero * path_noise[a]
            if actors[a].kind == ASSOCIATION:
                actors[a].size = assoc_size[ja]
                ja += 1
                actors[a].small = actors[a].size < 1.0
            elif actors[a].kind == FIRM:
                actors[a].size = firm_size[jf]
                jf += 1
                if rank == n_assoc[t] + 1:
                    actors[a].national = branch_draw[jb]
                    jb += 1
            a += 1
    # --- regional foundations, then the State and national foundations ---------------------
    for r in range(n_regions):
        for _ in range(k.per_region):
            actors[a].kind = FOUNDATION
            actors[a].region = r
            a += 1
    state_actor = a
    for b in range(state_actor, n_total):
        actors[b].national = True
        actors[b].region = -1
        actors[b].kind = STATE if b == state_actor else FOUNDATION
    for b in range(n_local, n_total):
        actors[b].path = national_path[b - n_local]
    # --- traits: the kind's value times its factor, kind by kind in TRAIT_ORDER -------------
    first = 0
    for kind in TRAIT_ORDER:
        n = 0
        for b in range(n_total):
            if actors[b].kind == kind:
                n += 1
        v = traits[kind]
        r = 0
        for b in range(n_total):
            if actors[b].kind != kind:
                continue
            x = actors[b]
            x.will = _clip01(v[0] * factors[0, first + r])
            x.duty = _clip01(v[1] * factors[1, first + r])
            x.capacity = _clip01(v[2] * factors[2, first + r])
            x.risk_tolerance = _clip01(v[3] * factors[3, first + r])
            x.trust = _clip01(v[4] * factors[4, first + r])
            x.control = _clip01(v[5] * factors[5, first + r])
            x.skill = _clip01(v[6] * factors[6, first + r])
            x.horizon = v[7] * factors[7, first + r]
            x.staff = v[8] * x.size
            x.income = v[9] * x.size / MONTHS_PER_YEAR
            r += 1
        first += n
    # --- will's scale, branches' horizon, funders' budgets, paths clipped, reserves ---------
    for b in range(n_total):
        x = actors[b]
        x.will = _clip01(x.will * k.will_scale)
        if b < n_local and x.national:
            x.horizon = k.branch_horizon
        if n_local <= b < state_actor:
            x.income += found_budget[x.region]
        elif b == state_actor:
            x.income += k.state_budget
        elif b > state_actor:
            x.income += k.national_found_budget
        x.path = _clip01(x.path)
        x.money = 0.0 if (x.kind == STATE or x.kind == FOUNDATION) else k.start_reserve * x.income
    return state_actor


@njit(cache=True)
def neighbours(x, y, k):
    """The ``k`` nearest other points of each point (``x``, ``y``), nearest first, equal
    squared distances in index order (a stable sort, as initialise's ``nearest`` says)."""
    n = x.shape[0]
    out = np.empty((n, k), np.int64)
    d = np.empty(n)
    for i in range(n):
        for j in range(n):
            dx = x[i] - x[j]
            dy = y[i] - y[j]
            d[j] = dx * dx + dy * dy
        d[i] = np.inf  # not itself
        order = np.argsort(d, kind="mergesort")
        for j in range(k):
            out[i, j] = order[j]
    return out
