"""Initialisation: territories, their actors and the national level (docs/ODD.md,
"Initialisation" and "Input data").

Territories are generated (or read from ``territories.records``): coordinates in the unit
square, a region by longitude band, fragility ~ Beta with mean ``fragility_mean``, needs
rising with fragility, social capital falling with it, a best local path spread around the
national standard by ``territories.path_diversity`` (« maintenir les spécificités
territoriales »). Each territory has one local executive (official), its associations (size
log-normal: a few large, many small, as in the French associative sector) and its firms
(the first may be the local branch of a national group). Each region has local foundations;
the nation has the State and national foundations. Traits are the type's value times a
uniform factor in [0.8, 1.2], so a trait set to 0 for a type stays 0.
"""

from __future__ import annotations

import numpy as np

from .constants import value
from .params import Params
from .populate import TRAIT_ORDER, Drawn, Setup, fill_actors, neighbours
from .state import (
    A_INITIAL,
    ACTOR,
    ASSOCIATION,
    FIRM,
    FOUNDATION,
    INITIATIVE,
    MONTHS_PER_YEAR,
    N_ACC,
    N_EVENT_FIELDS,
    N_FRICTION,
    N_KINDS,
    N_NAT,
    N_PRESSURE,
    N_RECOGNITION_LEFT,
    NDIM,
    OFFICIAL,
    STATE,
    TERRITORY,
    K,
    State,
)

P_STANDARD = value("p_standard")  # the national standard path (governance)
INITIAL_FRICTION = value("initial_friction")
BRANCH_SHARE = value("branch_share")
MAX_SIZE = value("max_size")
MIN_SIZE = value("min_size")
FRAGILITY_CONCENTRATION = value("fragility_concentration")
SOCIAL_CAPITAL_FRAGILITY = value("social_capital_fragility")
TERRITORY_NOISE = value("territory_noise")
NEED_FLOOR = value("need_floor")
NEED_FRAGILITY = value("need_fragility")
TRAIT_SPREAD = value("trait_spread")
FIRM_SIZE_DISPERSION = value("firm_size_dispersion")
NATIONAL_PATH_SPREAD = value("national_path_spread")
BRANCH_HORIZON = value("branch_horizon")
START_RESERVE = value("start_reserve")
INITIAL_PRESSURE = value("initial_pressure")
POOL_PER_TERRITORY, POOL_EXTRA = 6, 16  # initiative slots: per territory, and a margin
BRUTE_FORCE_POINTS = 500  # nearest() by numpy up to this many territories, a k-d tree beyond


def _territories(p: Params, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = p.territories
    recs = tp.records
    n = len(recs) if recs else tp.count
    ter = np.zeros(n, TERRITORY)
    needs = np.zeros((n, NDIM))
    if recs:
        ter["x"] = [r.x for r in recs]
        ter["y"] = [r.y for r in recs]
        ter["region"] = [r.region for r in recs]
        ter["fragility"] = [r.fragility for r in recs]
        ter["social_capital"] = [r.social_capital for r in recs]
        needs[:] = [[r.need_economic, r.need_social, r.need_environmental] for r in recs]
    else:
        ter["x"] = rng.random(n)
        ter["y"] = rng.random(n)
        ter["region"] = np.minimum((ter["x"] * tp.regions).astype(np.int64), tp.regions - 1)
        conc = FRAGILITY_CONCENTRATION
        ter["fragility"] = rng.beta(tp.fragility_mean * conc, (1 - tp.fragility_mean) * conc, n)
        ter["social_capital"] = np.clip(
            tp.social_capital_mean - SOCIAL_CAPITAL_FRAGILITY * (ter["fragility"] - tp.fragility_mean)
            + TERRITORY_NOISE * rng.standard_normal(n), 0.0, 1.0)
        needs[:] = np.clip(tp.initial_need * (NEED_FLOOR + NEED_FRAGILITY * ter["fragility"])[:, None]
                           + TERRITORY_NOISE * rng.standard_normal((n, NDIM)), 0.0, 1.0)
    ter["initial_need"] = needs.sum(axis=1)
    ter["resident_trust"] = np.clip(tp.resident_trust * (0.5 + ter["social_capital"]), 0.0, 1.0)
    ter["ideal_path"] = np.clip(P_STANDARD + tp.path_diversity * (rng.random(n) - 0.5), 0.0, 1.0)
    if p.time.stagger_elections:
        ter["election_offset"] = rng.integers(0, p.time.electoral_cycle_months, n)
    k = min(tp.neighbours, n - 1)
    neighbours = -np.ones((n, max(tp.neighbours, 1)), dtype=np.int64)
    if k > 0:
        neighbours[:, :k] = nearest(np.stack([ter["x"], ter["y"]], axis=1), k)
    return ter, needs, neighbours


def nearest(xy: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` nearest other points of each point, nearest first (equal distances in index
    order, as docs/ODD.md says: "stable sort"). Up to :data:`BRUTE_FORCE_POINTS` points, every
    squared distance, compiled (:func:`simulation.populate.neighbours`; importing scipy.spatial
    would cost 0.1 s of CPU in every process); beyond, a k-d tree (no
    territories-by-territories matrix at France scale). Both give the same neighbours
    (tests/test_model.py)."""
    if len(xy) > BRUTE_FORCE_POINTS:
        return _nearest_tree(xy, k)
    return neighbours(np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), k)


def _nearest_tree(xy: np.ndarray, k: int) -> np.ndarray:
    """:func:`nearest` by a k-d tree: each point's ``k + 1`` nearest others sorted by distance
    then index; where the ``k``-th and the next are equally far (a tie at the edge), every
    point within that distance, so ties fall as in :func:`nearest`."""
    from scipy.spatial import cKDTree

    n = len(xy)
    tree = cKDTree(xy)
    m = min(k + 2, n)  # itself, k others and the next one
    _, idx = tree.query(xy, k=m)
    idx = np.where(idx == np.arange(n)[:, None], -1, idx)  # itself last (coincident points too)
    d = np.where(idx >= 0, ((xy[np.maximum(idx, 0)] - xy[:, None, :]) ** 2).sum(axis=2), np.inf)
    order = np.lexsort((np.where(idx >= 0, idx, n), d), axis=1)
    idx, d = np.take_along_axis(idx, order, 1), np.take_along_axis(d, order, 1)
    out = idx[:, :k].copy()
    edge = d[:, k - 1] == d[:, k] if m > k + 1 else np.zeros(n, dtype=bool)
    for i in np.flatnonzero(edge):
        near = np.array([j for j in tree.query_ball_point(xy[i], np.sqrt(d[i, k]) * (1 + 1e-9) + 1e-12)
                         if j != i], dtype=np.int64)
        dd = (xy[near, 0] - xy[i, 0]) ** 2 + (xy[near, 1] - xy[i, 1]) ** 2
        out[i] = near[np.lexsort((near, dd))[:k]]
    return out


def initialise(p: Params, rng: np.random.Generator) -> State:
    ter, needs, neighbours = _territories(p, rng)
    ap, fp = p.actors, p.funding
    n_ter = len(ter)
    recs = p.territories.records
    n_assoc = np.array([r.associations for r in recs] if recs else [ap.associations_per_territory] * n_ter,
                       dtype=np.int64)
    n_firm = np.array([r.firms for r in recs] if recs else [ap.firms_per_territory] * n_ter,
                      dtype=np.int64)
    n_regions = int(ter["region"].max()) + 1
    per_ter = 1 + n_assoc + n_firm
    n_local = int(per_ter.sum())
    n_found = ap.local_foundations_per_region * n_regions
    n_total = n_local + n_found + 1 + ap.national_foundations
    first = np.concatenate([[0], np.cumsum(per_ter)[:-1]]).astype(np.int64)
    ter["first_actor"] = first
    ter["official"] = first
    ter["n_actors"] = per_ter
    # --- the random numbers, in this order: local paths, associations' and firms' sizes,
    # branches of national groups, regional and national paths, then each kind's traits
    # (TRAIT_ORDER) as the type's value times a factor in [1 - s, 1 + s] (s = trait_spread):
    # one draw of the factors of the seven traits and the horizon, trait by trait
    hetero = ap.path_heterogeneity
    path_noise = rng.standard_normal(n_local)
    assoc_size = np.clip(np.exp(ap.association_size_dispersion * rng.standard_normal(int(n_assoc.sum()))),
                         MIN_SIZE, MAX_SIZE)
    firm_size = np.exp(FIRM_SIZE_DISPERSION * rng.standard_normal(int(n_firm.sum())))
    branch = rng.random(int(np.count_nonzero(n_firm))) < BRANCH_SHARE
    national_path = P_STANDARD + NATIONAL_PATH_SPREAD * hetero * rng.standard_normal(n_total - n_local)
    n_kind = np.zeros(N_KINDS, dtype=np.int64)
    n_kind[OFFICIAL] = n_ter
    n_kind[ASSOCIATION] = n_assoc.sum()
    n_kind[FIRM] = n_firm.sum()
    n_kind[FOUNDATION] = n_found + ap.national_foundations
    n_kind[STATE] = 1
    factors = np.concatenate([rng.uniform(1.0 - TRAIT_SPREAD, 1.0 + TRAIT_SPREAD, (8, n_kind[k]))
                              for k in TRAIT_ORDER], axis=1)
    by_kind = {STATE: ap.state, FOUNDATION: ap.foundation, FIRM: ap.firm, ASSOCIATION: ap.association,
               OFFICIAL: ap.official}
    traits = np.array([[t.will, t.duty, t.capacity, t.risk_tolerance, t.trust, t.control_preference,
                        t.skill, t.horizon_months, t.staff, t.money] for t in map(by_kind.get, range(N_KINDS))])
    # --- funders' budgets (per territory, so money per territory does not depend on scale) -
    in_region = np.bincount(ter["region"], minlength=n_regions)
    found_budget = fp.local_foundation_budget * in_region * fp.budget_scale / MONTHS_PER_YEAR
    actors = np.zeros(n_total, ACTOR)
    actors["territory"] = -1
    actors["opposing"] = -1
    actors["size"] = 1.0
    state_actor = fill_actors(
        actors, ter, n_assoc, n_firm, Drawn(path_noise, assoc_size, firm_size, branch, national_path, factors),
        traits, found_budget,
        Setup(n_local, int(ap.local_foundations_per_region), float(hetero), float(ap.will_scale),
              float(p.time.national_tempo_months * BRANCH_HORIZON),
              float(fp.state_budget * n_ter * fp.national_budget_scale * fp.budget_scale / MONTHS_PER_YEAR),
              float(fp.foundation_budget * n_ter * fp.budget_scale / MONTHS_PER_YEAR), float(START_RESERVE)))
    national_first = state_actor
    regional = -np.ones(n_regions, dtype=np.int64)
    if ap.local_foundations_per_region > 0:
        regional[:] = n_local + ap.local_foundations_per_region * np.arange(n_regions)
    funders = np.arange(n_local, n_total, dtype=np.int64)
    n_ini = POOL_PER_TERRITORY * n_ter + POOL_EXTRA
    acc = np.zeros(N_ACC)
    acc[A_INITIAL] = actors["money"].sum()
    nat_ = np.zeros(N_NAT)
    nat_[N_FRICTION] = INITIAL_FRICTION
    nat_[N_PRESSURE] = INITIAL_PRESSURE
    nat_[N_RECOGNITION_LEFT] = p.constants.recognition_capacity
    state = State(
        territories=ter, needs=needs, neighbours=neighbours, actors=actors,
        initiatives=np.zeros(n_ini, INITIATIVE), weights=np.zeros((n_ini, NDIM)),
        members=-np.ones((n_ini, K), dtype=np.int64), engagement=np.zeros((n_ini, K)),
        share=np.zeros((n_ini, K)), territory_impact=np.zeros(n_ter),
        events=np.zeros((n_ini, N_EVENT_FIELDS)),
        acc=acc, nat=nat_, regional_foundation=regional, funders=funders,
        national_first=national_first, state_actor=state_actor,
        candidates=np.zeros(n_ini, dtype=np.int64), scores=np.zeros(n_ini),
        live=np.zeros(1, dtype=np.int64),
    )
    return state
