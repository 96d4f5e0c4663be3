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

from simulation.constants import value
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
SLOT_BASE = {kind: value(f"slots_{name}") for kind, name in (
    (OFFICIAL, "official"), (FIRM, "firm"), (FOUNDATION, "foundation"), (STATE, "state"))}


def practised(without: float, with_: float, will: float, will_full: float) -> float:
    """A lever's variable as practised by an actor of this will (common.practice/practised)."""
    q = 1.0 if will_full <= 0.0 else min(1.0, will / will_full)
    return without + (with_ - without) * q


class Actor(mesa.Agent):
    """One actor with its traits as attributes."""

    def __init__(self, model: IdiomaticEmergence, row: np.void, index: int):
        super().__init__(model)
        self.index = index
        for name in ("kind", "territory", "national", "size", "will", "risk_tolerance",
                     "capacity", "engaged", "path"):
            setattr(self, name, row[name].item())

    def slots(self) -> int:
        if self.kind == ASSOCIATION:
            base = 1.0 + value("slots_association") * self.size ** 0.5
        else:
            base = SLOT_BASE[self.kind]
        return int(self.capacity * base + 1e-9)

    def consider_starting(self, territory: Territory, base_rate: float, top: int) -> None:
        """Start an initiative on the territory's most pressing need, or join the open one."""
        model, c = self.model, self.model.c
        rng = model.rng
        u = rng.random()
        risk = rng.random()
        rate = base_rate * self.will * (value("official_initiative") if self.kind == OFFICIAL else self.size ** 0.5)
        if u >= rate or self.engaged >= self.slots():
            return
        if risk > self.risk_tolerance + practised(c.dare0, c.dare, self.will, c.by_will):  # the right to error
            return
        target = practised(c.target0, c.target, self.will, c.by_will)
        dim = top if rng.random() < target else int(rng.integers(0, NDIM))
        existing = territory.first_open.get(dim)
        duplicate = False
        if existing is not None:
            if rng.random() >= practised(c.duplicate0, c.duplicate, self.will, c.by_will):
                if existing.status == SEARCHING and self not in existing.members:
                    existing.join(self, value("partner_engagement"))
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
        spread = practised(c.spread0, c.spread, holder.will, c.by_will)
        self.weights = [(1.0 if d == dim else spread / 2.0) / (1.0 + spread) for d in range(NDIM)]
        if rng.random() < c.tradeoff:
            other = (dim + 1 + int(rng.integers(0, NDIM - 1))) % NDIM
            self.weights[other] = -emergence.TRADEOFF_WEIGHT * (1.0 - spread)
        low = emergence.LOCAL_COST_MIN
        self.local_cost = low + (1.0 - low) * rng.random() if rng.random() < c.nimby else 0.0
        spell = emergence.DURATION_SPREAD
        self.duration = max(1, int(c.duration * (1.0 - spell + 2.0 * spell * rng.random()) + 0.5))
        self.status, self.territory, self.holder, self.dim = SEARCHING, territory.index, holder, dim
        self.risk = risk
        self.potential = ((emergence.POTENTIAL_FLOOR + emergence.POTENTIAL_RISK * risk)
                          * (1.0 + emergence.SYNERGY * spread))
        self.monthly_cost = c.cost * holder.size ** emergence.COST_ELASTICITY
        self.path = holder.path
        self.duplicate = duplicate
        self.members, self.engagement = [], []
        self.join(holder, emergence.HOLDER_ENGAGEMENT)
        model.free.remove(self)


class Territory:
    def __init__(self, index: int, row: np.void, needs: np.ndarray, actors: list[Actor]):
        self.index = index
        self.fragility = float(row["fragility"])
        self.social_capital = float(row["social_capital"])
        self.will = float(row["will"])
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
        mean_fragility = 0.0  # summed as the kernel sums it (emergence.step)
        for territory in self.territories:
            mean_fragility += territory.fragility / len(self.territories)
        for territory in self.territories:
            top = max(range(NDIM), key=lambda d: (territory.needs[d], -d))
            need_max = territory.needs[top]
            if need_max <= 0.0:
                top = 0
            fragile = 1.0 + practised(c.fragile0, c.fragile, territory.will, c.by_will) * max(0.0, territory.fragility - mean_fragility)
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
