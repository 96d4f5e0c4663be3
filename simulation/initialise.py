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

from dataclasses import dataclass

import numpy as np

from .params import Params
from .state import (
    ACTOR,
    ASSOCIATION,
    FIRM,
    FOUNDATION,
    INITIATIVE,
    NDIM,
    OFFICIAL,
    STATE,
    TERRITORY,
    K,
    State,
)
from .submodels.common import (
    A_INITIAL,
    N_ACC,
    N_EVENT_FIELDS,
    N_FRICTION,
    N_NAT,
    N_PRESSURE,
    N_RECOGNITION_LEFT,
)
from .submodels.governance import P_STANDARD
from .submodels.scaling import RECOGNITION_CAPACITY

INITIAL_FRICTION = 0.3  # share of months an agreed alliance loses to legal/administrative checks
BRANCH_SHARE = 0.5  # chance a territory's first firm is the branch of a national group
MAX_SIZE = 300.0  # largest association, in median sizes (a national network with ~600 staff)


@dataclass
class Layout:
    """Where things are in the actor array, for the kernels."""

    regional_foundation: np.ndarray  # one local foundation per region (-1 if none)
    funders: np.ndarray  # State and foundations
    national_first: int
    state_actor: int


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
        conc = 4.0
        ter["fragility"] = rng.beta(tp.fragility_mean * conc, (1 - tp.fragility_mean) * conc, n)
        ter["social_capital"] = np.clip(
            tp.social_capital_mean - 0.3 * (ter["fragility"] - tp.fragility_mean)
            + 0.1 * rng.standard_normal(n), 0.0, 1.0)
        needs[:] = np.clip(tp.initial_need * (0.6 + 0.8 * ter["fragility"])[:, None]
                           + 0.1 * rng.standard_normal((n, NDIM)), 0.0, 1.0)
    ter["resident_trust"] = np.clip(tp.resident_trust * (0.5 + ter["social_capital"]), 0.0, 1.0)
    ter["ideal_path"] = np.clip(P_STANDARD + tp.path_diversity * (rng.random(n) - 0.5), 0.0, 1.0)
    if p.time.stagger_elections:
        ter["election_offset"] = rng.integers(0, p.time.electoral_cycle_months, n)
    k = min(tp.neighbours, n - 1)
    neighbours = -np.ones((n, max(tp.neighbours, 1)), dtype=np.int64)
    if k > 0:
        xy = np.stack([ter["x"], ter["y"]], axis=1)
        d2 = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
        np.fill_diagonal(d2, np.inf)
        neighbours[:, :k] = np.argsort(d2, axis=1, kind="stable")[:, :k]
    return ter, needs, neighbours


def _traits(actors: np.ndarray, rows: slice | np.ndarray, t, rng: np.random.Generator) -> None:
    n = len(actors[rows])
    for field, value in (("will", t.will), ("duty", t.duty), ("capacity", t.capacity),
                         ("risk_tolerance", t.risk_tolerance), ("trust", t.trust),
                         ("control", t.control_preference), ("skill", t.skill)):
        actors[field][rows] = np.clip(value * rng.uniform(0.8, 1.2, n), 0.0, 1.0)
    actors["horizon"][rows] = t.horizon_months * rng.uniform(0.8, 1.2, n)


def initialise(p: Params, rng: np.random.Generator) -> tuple[State, Layout]:
    ter, needs, neighbours = _territories(p, rng)
    ap, fp = p.actors, p.funding
    n_ter = len(ter)
    recs = p.territories.records
    n_assoc = [r.associations for r in recs] if recs else [ap.associations_per_territory] * n_ter
    n_firm = [r.firms for r in recs] if recs else [ap.firms_per_territory] * n_ter
    n_regions = int(ter["region"].max()) + 1
    n_local_found = ap.local_foundations_per_region * n_regions
    n_total = sum(1 + a + f for a, f in zip(n_assoc, n_firm, strict=True)) + n_local_found + 1 + ap.national_foundations
    actors = np.zeros(n_total, ACTOR)
    actors["territory"] = -1
    hetero = ap.path_heterogeneity
    pos = 0
    for t in range(n_ter):
        ter["first_actor"][t] = pos
        ter["official"][t] = pos
        block = slice(pos, pos + 1 + n_assoc[t] + n_firm[t])
        ter["n_actors"][t] = 1 + n_assoc[t] + n_firm[t]
        actors["territory"][block] = t
        actors["region"][block] = ter["region"][t]
        actors["path"][block] = ter["ideal_path"][t] + hetero * rng.standard_normal(block.stop - block.start)
        actors["kind"][pos] = OFFICIAL
        actors["size"][pos] = 1.0
        _traits(actors, slice(pos, pos + 1), ap.official, rng)
        actors["staff"][pos] = ap.official.staff
        actors["income"][pos] = ap.official.money / 12.0
        pos += 1
        a = slice(pos, pos + n_assoc[t])
        actors["kind"][a] = ASSOCIATION
        actors["size"][a] = np.clip(np.exp(ap.association_size_dispersion * rng.standard_normal(n_assoc[t])), 0.05, MAX_SIZE)
        actors["small"][a] = actors["size"][a] < 1.0
        _traits(actors, a, ap.association, rng)
        actors["staff"][a] = ap.association.staff * actors["size"][a]
        actors["income"][a] = ap.association.money * actors["size"][a] / 12.0
        pos += n_assoc[t]
        f = slice(pos, pos + n_firm[t])
        actors["kind"][f] = FIRM
        actors["size"][f] = np.exp(0.8 * rng.standard_normal(n_firm[t]))
        _traits(actors, f, ap.firm, rng)
        actors["staff"][f] = ap.firm.staff * actors["size"][f]
        actors["income"][f] = ap.firm.money * actors["size"][f] / 12.0
        if n_firm[t] > 0 and rng.random() < BRANCH_SHARE:
            actors["national"][pos] = True
            actors["horizon"][pos] = p.time.national_tempo_months * 1.5
        pos += n_firm[t]
    regional = -np.ones(n_regions, dtype=np.int64)
    funders = []
    for r in range(n_regions):
        for j in range(ap.local_foundations_per_region):
            actors["kind"][pos] = FOUNDATION
            actors["region"][pos] = r
            actors["size"][pos] = 1.0
            actors["path"][pos] = P_STANDARD + hetero * rng.standard_normal()
            _traits(actors, slice(pos, pos + 1), ap.foundation, rng)
            actors["staff"][pos] = ap.foundation.staff
            in_region = int(np.count_nonzero(ter["region"] == r))
            actors["income"][pos] = (ap.foundation.money
                                     + fp.local_foundation_budget * in_region * fp.budget_scale) / 12.0
            if j == 0:
                regional[r] = pos
            funders.append(pos)
            pos += 1
    national_first = pos
    state_actor = pos
    nat = slice(pos, n_total)
    actors["national"][nat] = True
    actors["region"][nat] = -1
    actors["size"][nat] = 1.0
    actors["path"][nat] = P_STANDARD + 0.5 * hetero * rng.standard_normal(n_total - pos)
    actors["kind"][pos] = STATE
    _traits(actors, slice(pos, pos + 1), ap.state, rng)
    actors["staff"][pos] = ap.state.staff
    actors["income"][pos] = (ap.state.money + fp.state_budget * n_ter * p.governance.macro_presence
                             * fp.budget_scale) / 12.0
    funders.append(pos)
    pos += 1
    for _ in range(ap.national_foundations):
        actors["kind"][pos] = FOUNDATION
        _traits(actors, slice(pos, pos + 1), ap.foundation, rng)
        actors["staff"][pos] = ap.foundation.staff
        actors["income"][pos] = (ap.foundation.money + fp.foundation_budget * n_ter * fp.budget_scale) / 12.0
        funders.append(pos)
        pos += 1
    actors["path"] = np.clip(actors["path"], 0.0, 1.0)
    funds = (actors["kind"] == STATE) | (actors["kind"] == FOUNDATION)
    actors["money"] = np.where(funds, 0.0, 3.0 * actors["income"])
    n_ini = 6 * n_ter + 16
    acc = np.zeros(N_ACC)
    acc[A_INITIAL] = actors["money"].sum()
    nat_ = np.zeros(N_NAT)
    nat_[N_FRICTION] = INITIAL_FRICTION
    nat_[N_PRESSURE] = 0.5
    nat_[N_RECOGNITION_LEFT] = RECOGNITION_CAPACITY
    state = State(
        territories=ter, needs=needs, neighbours=neighbours, actors=actors,
        initiatives=np.zeros(n_ini, INITIATIVE), weights=np.zeros((n_ini, NDIM)),
        members=-np.ones((n_ini, K), dtype=np.int64), engagement=np.zeros((n_ini, K)),
        share=np.zeros((n_ini, K)), territory_impact=np.zeros(n_ter),
        events=np.zeros((n_ini, N_EVENT_FIELDS)),
        acc=acc, nat=nat_,
    )
    layout = Layout(regional, np.array(funders, dtype=np.int64), national_first, state_actor)
    return state, layout
