"""The emergence submodel written as idiomatic per-agent Mesa code, for the bench's
like-for-like ratio.

:class:`IdiomaticEmergence` is a ``mesa.Model`` whose actors are ``mesa.Agent`` objects
with plain attributes and whose initiatives are Python objects; its :meth:`step` is one
month of ``simulation/submodels/emergence.py`` (each association and official may start an
initiative on its territory's most pressing need, or join the open one), written as a Mesa
user would: a loop over territories and their agents, each agent deciding for itself. It
draws the same random numbers in the same order as the compiled kernel, so from the same
state both end in the same state (:func:`compare` checks it): the ratio of their times is
the price of the same work, not of different work.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import mesa
import numpy as np

from simulation.state import (
    ASSOCIATION,
    FIRM,
    FOUNDATION,
    FREE,
    NDIM,
    OFFICIAL,
    SEARCHING,
    STATE,
    K,
)
from simulation.submodels import emergence

# alliances an actor can be in per unit of capacity (simulation/submodels/common.py, slots)
SLOT_BASE = {ASSOCIATION: None, OFFICIAL: 20.0, FIRM: 8.0, FOUNDATION: 12.0, STATE: 400.0}


class Actor(mesa.Agent):
    """One actor with its traits as attributes."""

    def __init__(self, model: IdiomaticEmergence, row: np.void, index: int):
        super().__init__(model)
        self.index = index
        for name in ("kind", "territory", "national", "size", "will", "risk_tolerance",
                     "capacity", "engaged", "path"):
            setattr(self, name, row[name].item())

    def slots(self) -> int:
        base = 1.0 + 2.0 * self.size ** 0.5 if self.kind == ASSOCIATION else SLOT_BASE[self.kind]
        return int(self.capacity * base + 1e-9)

    def consider_starting(self, territory: Territory, base_rate: float, top: int) -> None:
        """Start an initiative on the territory's most pressing need, or join the open one."""
        model = self.model
        rng = model.rng
        u = rng.random()
        risk = rng.random()
        rate = base_rate * self.will * (0.5 if self.kind == OFFICIAL else self.size ** 0.5)
        q = min(1.0, self.will / model.c.by_will) if model.c.by_will > 0.0 else 1.0
        dare = model.c.dare0 + (model.c.dare - model.c.dare0) * q  # the right to error
        if u >= rate or self.engaged >= self.slots() or risk > self.risk_tolerance + dare:
            return
        dim = top if rng.random() < model.c.target else int(rng.integers(0, NDIM))
        existing = territory.first_open.get(dim)
        duplicate = False
        if existing is not None:
            if rng.random() >= model.c.duplicate:
                if existing.status == SEARCHING and self not in existing.members:
                    existing.join(self, 0.6)
                return
            duplicate = True
        initiative = model.free_initiative()
        if initiative is None:
            model.pool_full += 1
            return
        initiative.open(territory, self, dim, risk, duplicate)
        if existing is None or initiative.index < existing.index:
            territory.first_open[dim] = initiative


class Initiative:
    """One slot of the initiative pool."""

    def __init__(self, model: IdiomaticEmergence, row: np.void, index: int, members: list[Actor]):
        self.model = model
        self.index = index
        self.status = int(row["status"])
        self.territory = int(row["territory"])
        self.dim = int(row["dim"])
        self.members = members
        self.engagement = [0.0] * len(members)
        self.weights = [0.0] * NDIM

    def join(self, actor: Actor, engagement: float) -> None:
        if len(self.members) < K:
            self.members.append(actor)
            self.engagement.append(engagement)
            actor.engaged += 1

    def open(self, territory: Territory, holder: Actor, dim: int, risk: float, duplicate: bool) -> None:
        model, c, rng = self.model, self.model.c, self.model.rng
        spread = c.spread
        self.weights = [(1.0 if d == dim else spread / 2.0) / (1.0 + spread) for d in range(NDIM)]
        if rng.random() < c.tradeoff:
            other = (dim + 1 + int(rng.integers(0, NDIM - 1))) % NDIM
            self.weights[other] = -0.5 * (1.0 - spread)
        self.local_cost = 0.3 + 0.7 * rng.random() if rng.random() < c.nimby else 0.0
        self.duration = max(1, int(c.duration * (0.75 + 0.5 * rng.random()) + 0.5))
        self.status, self.territory, self.holder, self.dim = SEARCHING, territory.index, holder, dim
        self.risk = risk
        self.potential = (0.6 + 0.8 * risk) * (1.0 + 0.3 * spread)
        self.monthly_cost = c.cost * holder.size ** emergence.COST_ELASTICITY
        self.path = holder.path
        self.duplicate = duplicate
        self.members, self.engagement = [], []
        self.join(holder, 0.7)
        model.free.remove(self)


class Territory:
    def __init__(self, index: int, row: np.void, needs: np.ndarray, actors: list[Actor]):
        self.index = index
        self.fragility = float(row["fragility"])
        self.social_capital = float(row["social_capital"])
        self.needs = [float(x) for x in needs]
        self.actors = actors
        self.first_open: dict[int, Initiative] = {}


class IdiomaticEmergence(mesa.Model):
    """One month of emergence, per agent, from a copy of a compiled model's state."""

    def __init__(self, state: Any, c: Any, rng: np.random.Generator):
        super().__init__(rng=0)
        self.rng = rng
        self.c = c
        self.pool_full = 0
        actors = [Actor(self, row, a) for a, row in enumerate(state.actors)]
        self.territories = []
        for t, row in enumerate(state.territories):
            a0, n = int(row["first_actor"]), int(row["n_actors"])
            self.territories.append(Territory(t, row, state.needs[t], actors[a0:a0 + n]))
        self.initiatives = [Initiative(self, row, i, [actors[m] for m in state.members[i] if m >= 0])
                            for i, row in enumerate(state.initiatives)]
        self.free: list[Initiative] = []

    def free_initiative(self) -> Initiative | None:
        return self.free[0] if self.free else None

    def step(self) -> None:
        self.free = [ini for ini in self.initiatives if ini.status == FREE]
        for territory in self.territories:
            territory.first_open = {}
        for ini in self.initiatives:
            if ini.status != FREE:
                first = self.territories[ini.territory].first_open
                first.setdefault(ini.dim, ini)
        c = self.c
        for territory in self.territories:
            top = max(range(NDIM), key=lambda d: (territory.needs[d], -d))
            need_max = territory.needs[top]
            if need_max <= 0.0:
                top = 0
            fragile = 1.0 + c.fragile * (territory.fragility - 0.5)
            base = c.rate * need_max * (0.5 + territory.social_capital) * fragile
            for actor in territory.actors:
                if actor.kind in (ASSOCIATION, OFFICIAL):
                    actor.consider_starting(territory, base, top)


def compare(model: Any, months: range) -> dict[str, Any]:
    """Time one month of emergence, compiled and idiomatic, from the same states.

    ``model`` is a fresh :class:`simulation.AllianceModel`; at each month of ``months`` its
    state is copied and both versions run one emergence step from the copy (building the
    idiomatic objects is not timed). Returns the seconds of each (sums of CPU time) and
    whether both ended in the same initiatives.
    """
    compiled_s = idiomatic_s = 0.0
    same = True
    c = model.coefficients.emergence  # the compiled kernel's array; the idiomatic code reads names
    named = emergence.coefficients(model.params)
    s0, r0 = copy.deepcopy(model.state), copy.deepcopy(model.rng)
    emergence.step(c, s0, r0)  # load it
    for month in range(max(months) + 1):
        if month in months:
            s1, r1 = copy.deepcopy(model.state), copy.deepcopy(model.rng)
            s2, r2 = copy.deepcopy(model.state), copy.deepcopy(model.rng)
            t0 = time.process_time()
            emergence.step(c, s1, r1)
            compiled_s += time.process_time() - t0
            idio = IdiomaticEmergence(s2, named, r2)
            t0 = time.process_time()
            idio.step()
            idiomatic_s += time.process_time() - t0
            got = [(i.status, i.territory, i.dim, len(i.members)) for i in idio.initiatives]
            want = [(int(r["status"]), int(r["territory"]), int(r["dim"]), int(r["n"]))
                    for r in s1.initiatives]
            same &= got == want and r1.random() == r2.random()
        model.step()
    return {"compiled_s": compiled_s, "idiomatic_s": idiomatic_s, "same_state": bool(same),
            "months": len(months)}
