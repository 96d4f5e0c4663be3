"""The model's state: structured numpy arrays for territories, actors and initiatives.

Agent state lives in arrays that the compiled submodels update together; Mesa agents
(simulation/agents.py) are thin views over one row. Units: money k€, staff time in
FTE-months, time in months. docs/ODD.md ("Entities, state variables and scales") describes
every field.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np

from .constants import value


class Kind(IntEnum):
    """An actor's kind (the seed's five actor types): ``actors.kind``."""

    STATE = 0
    FOUNDATION = 1
    FIRM = 2
    ASSOCIATION = 3
    OFFICIAL = 4


class Status(IntEnum):
    """Where an initiative is in its life cycle (DOMAIN.md): ``initiatives.status``."""

    FREE = 0  # an empty slot of the initiative pool
    SEARCHING = 1  # a holder looks for partners
    AGREED = 2  # partners agreed; seeking funds
    ACTING = 3  # funded and acting


class Level(IntEnum):
    """Where a conflict is arbitrated (``governance.arbitration_level``)."""

    LOCAL = 0
    REGIONAL = 1
    NATIONAL = 2


# The members as plain ints, the names the kernels read (numba also reads ``Status.ACTING``).
STATE, FOUNDATION, FIRM, ASSOCIATION, OFFICIAL = (int(k) for k in Kind)
FREE, SEARCHING, AGREED, ACTING = (int(s) for s in Status)
LOCAL, REGIONAL, NATIONAL = (int(v) for v in Level)
KIND_NAMES = tuple(k.name.lower() for k in Kind)
N_KINDS = len(Kind)

NDIM = 3  # economic, social, environmental
K = 6  # most partners in one alliance
MIN_PARTNERS = 2  # fewest partners of an alliance (fewer: it ends)
MONTHS_PER_YEAR = 12
FTE_MONTH_KEUR = value("fte_month_keur")

ACTOR = np.dtype([
    ("kind", "i8"), ("territory", "i8"), ("region", "i8"), ("national", "b1"),
    ("small", "b1"), ("size", "f8"), ("money", "f8"), ("income", "f8"), ("staff", "f8"),
    ("time_used", "f8"), ("skill", "f8"), ("duty", "f8"), ("capacity", "f8"), ("will", "f8"),
    ("risk_tolerance", "f8"), ("trust", "f8"), ("control", "f8"), ("horizon", "f8"),
    ("path", "f8"), ("engaged", "i8"), ("failures", "i8"), ("applications", "i8"),
    ("wins", "i8"), ("cooldown", "i8"), ("grants", "f8"), ("app_time", "f8"),
    ("partnered", "b1"), ("with_authority", "b1"),
    ("with_firm", "b1"), ("alliances_joined", "i8"),  # in an alliance with a firm; alliances formed in
    ("to_associations", "f8"),  # k€ it put into the pots of alliances held by associations
    ("opposing", "i8"),  # the initiative whose « alliance contre » it sits in (-1: none; conflicts)
])

TERRITORY = np.dtype([
    ("region", "i8"), ("x", "f8"), ("y", "f8"), ("fragility", "f8"), ("social_capital", "f8"),
    ("resident_trust", "f8"), ("ideal_path", "f8"), ("knowledge", "f8"),
    ("election_offset", "i8"), ("official", "i8"), ("first_actor", "i8"), ("n_actors", "i8"),
    ("active", "i8"), ("arranged", "i8"), ("coop_trust", "f8"), ("initial_need", "f8"),
    ("will", "f8"),
    ("opposers", "i8"),  # its actors sitting in an « alliance contre » (conflicts: finds them)
])

INITIATIVE = np.dtype([
    ("status", "i8"), ("territory", "i8"), ("holder", "i8"), ("dim", "i8"), ("n", "i8"),
    ("duration", "i8"), ("wait", "i8"), ("acting", "i8"), ("paused", "i8"),
    ("risk", "f8"), ("potential", "f8"), ("local_cost", "f8"), ("opposition", "f8"),
    ("monthly_cost", "f8"), ("pot", "f8"), ("progress", "f8"), ("gain", "f8"),
    ("path", "f8"), ("fit", "f8"), ("visible", "f8"), ("misalign", "f8"), ("duplicate", "b1"),
    ("national", "b1"), ("macro_funded", "b1"), ("arranged", "b1"),
    ("contested", "b1"), ("agreed", "b1"), ("knowledge", "f8"),
    ("milestone", "i8"), ("work", "f8"), ("practice", "f8"),
    ("granted", "f8"), ("results_granted", "f8"),  # k€ of grants; of which results contracts (unpaid_path)
])


# --- slots of the run counters (State.acc), summarised by simulation/summary.py --------------
(A_FORMED, A_COMPLETED, A_ABANDONED, A_ELECTION_ABANDON, A_MISSED, A_EXIT_ORDERLY,
 A_EXIT_CONFLICT, A_SUCCESS, A_ADOPTION, A_RECOGNITION, A_APPLICATIONS, A_GRANTS,
 A_ASSOC_APP_TIME, A_ASSOC_STAFF_TIME, A_IMPACT_ECO, A_IMPACT_SOC, A_IMPACT_ENV,
 A_ALLIANCE_SPENT, A_SPENT, A_INFLOW, A_INITIAL, A_CONTESTED, A_BLOCKED, A_FORMED_NATIONAL,
 A_FORMED_TWO_ASSOC, A_FORMED_TYPES, A_ENG_SUM, A_ENG_N, A_ACTIVE_SUM, A_PATH_SUM, A_PATH_SQ,
 A_MONTHS, A_LOST, A_POOL_FULL, A_POSITIVE_IMPACT, A_ENDED) = range(36)
N_ACC = 36

# --- slots of the national scalars (State.nat) that several submodels read -------------------
(N_FRICTION, N_RESEARCH, N_PRESSURE, N_RECOGNITION_LEFT, N_REQUESTED, N_AWARDED,
 N_EVENTS, N_RECENT_SUCCESSES, N_WILL, N_SHARED_KNOWLEDGE) = range(10)
N_NAT = 10

# --- completion events handed from outcomes to scaling (State.events[e, :]) ---------------
E_TERRITORY, E_DIM, E_SUCCESS, E_CAPITALISED, E_LEGITIMACY, E_BURDEN, E_CARRIER = range(7)
N_EVENT_FIELDS = E_CARRIER + K  # one carrier column per seat (-1: none)


class State(NamedTuple):
    """All arrays of one run, one record that the compiled kernels take whole (numba reads a
    namedtuple's fields by name: ``s.actors``). ``weights``: signed impact weights per need
    dimension; ``needs``: unmet need per territory and dimension in [0, 1]; ``members``:
    actor index per alliance seat (-1 empty); ``engagement`` and ``share``: per seat;
    ``acc``: run counters and ``nat``: national scalars (slots ``A_*`` and ``N_*`` above,
    re-exported for the submodels by simulation/submodels/common.py). Where things are in the actor array:
    ``regional_foundation`` (one local foundation per region, -1 if none), ``funders`` (the
    State and foundations), ``national_first`` (first national actor) and ``state_actor``.
    ``candidates`` and ``scores`` are the funding kernel's scratch space, one slot per initiative.
    ``live[0]``: the pool's high-water mark, one past the highest slot ever opened (every slot
    from it on is FREE and untouched), so that a kernel scanning the pool stops there
    (``range(state.live[0])``); it only grows, in ``emergence.new_initiative``."""

    territories: np.ndarray
    needs: np.ndarray
    neighbours: np.ndarray
    actors: np.ndarray
    initiatives: np.ndarray
    weights: np.ndarray
    members: np.ndarray
    engagement: np.ndarray
    share: np.ndarray
    territory_impact: np.ndarray
    events: np.ndarray
    acc: np.ndarray
    nat: np.ndarray
    regional_foundation: np.ndarray
    funders: np.ndarray
    national_first: int
    state_actor: int
    candidates: np.ndarray
    scores: np.ndarray
    live: np.ndarray
