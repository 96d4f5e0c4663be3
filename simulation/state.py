"""The model's state: structured numpy arrays for territories, actors and initiatives.

Agent state lives in arrays that the compiled submodels update together; Mesa agents
(simulation/agents.py) are thin views over one row. Units: money k€, staff time in
FTE-months, time in months. docs/ODD.md ("Entities, state variables and scales") describes
every field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import value

# --- actor kinds (the seed's five actor types) ------------------------------------------
STATE, FOUNDATION, FIRM, ASSOCIATION, OFFICIAL = 0, 1, 2, 3, 4
KIND_NAMES = ("state", "foundation", "firm", "association", "official")

# --- initiative status (the life cycle of DOMAIN.md) -------------------------------------
FREE, SEARCHING, AGREED, ACTING = 0, 1, 2, 3

NDIM = 3  # economic, social, environmental
K = 6  # most partners in one alliance
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
])

TERRITORY = np.dtype([
    ("region", "i8"), ("x", "f8"), ("y", "f8"), ("fragility", "f8"), ("social_capital", "f8"),
    ("resident_trust", "f8"), ("ideal_path", "f8"), ("knowledge", "f8"),
    ("election_offset", "i8"), ("official", "i8"), ("first_actor", "i8"), ("n_actors", "i8"),
    ("active", "i8"), ("arranged", "i8"), ("coop_trust", "f8"), ("initial_need", "f8"),
    ("will", "f8"),
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
])


@dataclass
class State:
    """All arrays of one run. ``weights``: signed impact weights per need dimension;
    ``needs``: unmet need per territory and dimension in [0, 1]; ``members``: actor index
    per alliance seat (-1 empty); ``engagement`` and ``share``: per seat; ``acc``: run
    counters (indices in simulation/kernel.py); ``nat``: national scalars."""

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
