"""The emergence, action and funding submodels written as idiomatic per-agent Mesa code, for
the bench's like-for-like ratio.

Each is a ``mesa.Model`` whose actors are ``mesa.Agent`` objects with plain attributes and
whose initiatives are Python objects, built from a copy of a compiled model's state:

- :class:`IdiomaticEmergence` (simulation/submodels/emergence.py): each association and
  official may start an initiative on its territory's most pressing need, or join the open one;
- :class:`IdiomaticAction` (action.py with governance.budget_session): each acting alliance
  lives its month (:meth:`Alliance.month`: pledges, arranger, budget session, work, milestones,
  setbacks, evaluation, exits), its partners deciding for themselves whether to pay or free-ride,
  how their engagement moves and whether to leave (:class:`PartnerActor`);
- :class:`IdiomaticFunding` (funding.py): every actor receives its means, each funder holds
  its rounds and ranks the applications the holders decide to make, the territories'
  committees and executives grant and co-fund (:class:`FundingActor`).

Each draws the same random numbers in the same order as its compiled kernel and reads the
kernel's coefficients and constants by name, so from the same state both end in the same state
(:func:`compare` checks it, exactly): the ratio of their times is the price of the same work,
not of different work.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterable
from typing import Any

import mesa
import numpy as np

from simulation.constants import value
from simulation.state import (
    A_ABANDONED,
    A_ACTIVE_SUM,
    A_ALLIANCE_SPENT,
    A_APPLICATIONS,
    A_ASSOC_APP_TIME,
    A_ENDED,
    A_ENG_N,
    A_ENG_SUM,
    A_EXIT_CONFLICT,
    A_EXIT_ORDERLY,
    A_GRANTS,
    A_INFLOW,
    A_SPENT,
    ACTING,
    AGREED,
    ASSOCIATION,
    FIRM,
    FOUNDATION,
    FREE,
    FTE_MONTH_KEUR,
    MIN_PARTNERS,
    MONTHS_PER_YEAR,
    N_AWARDED,
    N_FRICTION,
    N_PRESSURE,
    N_REQUESTED,
    N_RESEARCH,
    N_SHARED_KNOWLEDGE,
    NDIM,
    OFFICIAL,
    SEARCHING,
    STATE,
    K,
)
from simulation.submodels import action, common, emergence, funding, governance
from simulation.submodels.common import TRUST_LOSS, WORK_TIME
from simulation.submodels.governance import FAILING_ENGAGEMENT

# alliances an actor can be in per unit of capacity (simulation/submodels/common.py, slots)
SLOT_BASE = {kind: value(f"slots_{name}") for kind, name in (
    (OFFICIAL, "official"), (FIRM, "firm"), (FOUNDATION, "foundation"), (STATE, "state"))}


def practised(without: float, with_: float, will: float, will_full: float) -> float:
    """A lever's variable as practised by an actor of this will (common.practice/practised)."""
    q = 1.0 if will_full <= 0.0 else min(1.0, will / will_full)
    return without + (with_ - without) * q


def rows(table: np.ndarray) -> list[dict[str, Any]]:
    """A structured array's rows as dicts of Python values."""
    names = table.dtype.names
    return [dict(zip(names, row, strict=True)) for row in table.tolist()]


class Actor(mesa.Agent):
    """One actor with its traits as attributes."""

    def __init__(self, model: IdiomaticEmergence, traits: dict[str, Any], index: int):
        super().__init__(model)
        self.index = index
        for name, x in traits.items():  # every trait of simulation.state.ACTOR
            setattr(self, name, x)

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
        self.potential = ((emergence.POTENTIAL_FLOOR + c.potential_risk * risk)
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
        self.region = int(row["region"])
        self.fragility = float(row["fragility"])
        self.social_capital = float(row["social_capital"])
        self.will = float(row["will"])
        self.knowledge = float(row["knowledge"])
        self.coop_trust = float(row["coop_trust"])
        self.active = int(row["active"])
        self.arranged = int(row["arranged"])
        self.needs = [float(x) for x in needs]
        self.actors = actors
        self.first_open: dict[int, Initiative] = {}


class IdiomaticEmergence(mesa.Model):
    """One month of emergence, per agent, from a copy of a compiled model's state."""

    def __init__(self, state: Any, c: Any, rng: np.random.Generator, month: int = 0):
        super().__init__(rng=0)
        self.rng = rng
        self.c = c
        self.pool_full = 0
        actors = [Actor(self, traits, a) for a, traits in enumerate(rows(state.actors))]
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


# --- action --------------------------------------------------------------------------------


class Seat:
    """A partner's seat in an alliance: the actor, its engagement and its monthly pledge."""

    def __init__(self, actor: Actor, engagement: float, share: float):
        self.actor, self.engagement, self.share = actor, engagement, share


def added(xs: Iterable[float]) -> float:
    """Left to right, as the kernels add (Python 3.12's ``sum`` of floats compensates, so it
    may differ in the last bit)."""
    s = 0.0
    for x in xs:
        s += x
    return s


def clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def practice(will: float, will_full: float) -> float:
    """How fully a lever is practised at this will (common.practice)."""
    return 1.0 if will_full <= 0.0 else min(1.0, will / will_full)


def between(without: float, with_: float, q: float) -> float:
    """A lever's variable practised at ``q`` (common.practised)."""
    return without + (with_ - without) * q


class PartnerActor(Actor):
    """An actor deciding for itself, in each alliance it sits in, whether to pay its pledge,
    how its engagement moves, and whether to stay."""

    def pays(self, alliance: Alliance, seat: Seat, recorded: float) -> bool:
        """Pay this month's pledge, or free-ride (the draw is made for every pledging partner)."""
        c = self.model.c
        if self.model.rng.random() < c.free_ride * (1.0 - seat.engagement) * (1.0 - recorded):
            return False
        pay = min(self.money, seat.share)
        self.money -= pay
        alliance.pot += pay
        if alliance.holder.kind == ASSOCIATION:
            self.to_associations += pay
        return True

    def budget_vote(self, alliance: Alliance, seat: Seat, failing: bool, stop_check: bool) -> int:
        """Its wish at a budget session: stop (3), object (2) or accept (1)."""
        if seat.engagement < FAILING_ENGAGEMENT and (failing or not stop_check):
            return 3
        if self.model.rng.random() < min(1.0, self.control * abs(self.path - alliance.path)):
            return 2
        return 1

    def feel(self, alliance: Alliance, seat: Seat, month: dict[str, Any]) -> None:
        """Its engagement moves with the month's work and its frictions; it reports."""
        c = self.model.c
        friction = action.COORDINATION_STRAIN * month["coordination"]
        friction += action.FRUSTRATION_RATE * c.frustration * self.control * abs(self.path - alliance.path)
        if month["macro"] and not self.national:
            friction += (c.macro_unfairness * c.unfairness * (1.0 - alliance.visible)
                         * (1.0 - month["valuation"]))
        if seat.share > 0.0:
            friction += month["unfair"]
        d = action.WORK_ENGAGEMENT * month["gain"] + month["milestone"] - friction * month["cement"]
        if month["idle"]:
            d -= action.IDLE_LOSS
        r = month["r"]
        if r > 0.0 and not self.national:
            self.trust = clip01(self.trust + c.transparency_trust * r * (1.0 - self.trust))
        self.time_used += c.report_time * r
        seat.engagement = clip01(seat.engagement + d)

    def wants_out(self, seat: Seat) -> bool:
        """Leave when disengaged or when its staff is overcommitted (its house's balance)."""
        return seat.engagement < action.EXIT_LEVEL or self.staff < self.engaged * WORK_TIME


class Alliance:
    """An alliance (one slot of the initiative pool) with its seats; :meth:`month` is its
    month of action (simulation/submodels/action.py ``step``)."""

    FIELDS = ("status", "agreed", "dim", "granted", "results_granted", "duration", "acting", "paused", "risk", "monthly_cost", "pot", "progress",
              "gain", "path", "fit", "visible", "misalign", "duplicate", "national", "macro_funded",
              "arranged", "knowledge", "milestone", "work", "practice", "wait")

    def __init__(self, model: IdiomaticMonth, row: dict[str, Any], index: int, seats: list[Seat]):
        self.model, self.index, self.seats = model, index, seats
        for name in self.FIELDS:
            setattr(self, name, row[name])
        self.territory = model.territories[int(row["territory"])]
        self.holder = model.actors[int(row["holder"])] if row["holder"] >= 0 else None

    @property
    def members(self) -> list[Actor]:
        return [seat.actor for seat in self.seats]

    def gap(self) -> float:
        """funding.gap: money lacking for the next grant period after the partners' pledges."""
        left = min(self.model.c.grant, self.duration - self.acting)
        return max(0.0, self.monthly_cost - self.pledged()) * left - self.pot

    def quality(self) -> float:
        """funding.quality: what a well-informed funder would rank on."""
        skill = added(a.skill for a in self.members) / len(self.seats) if self.seats else 0.0
        return 2.0 * (0.5 + 0.5 * skill) * self.fit * (1.0 - self.misalign)

    def pledged(self) -> float:
        return added(seat.share for seat in self.seats)

    def mean_engagement(self) -> float:
        return added(s.engagement for s in self.seats) / len(self.seats) if self.seats else 0.0

    def end(self) -> None:
        """Free the slot (common.end_initiative): partners released, what is left spent."""
        model = self.model
        for seat in self.seats:
            seat.actor.engaged -= 1
        self.seats = []
        if self.pot > 0.0:
            model.spent += self.pot
            self.pot = 0.0
        if self.status >= ACTING:
            self.territory.active -= 1
            model.ended += 1
        if self.arranged:
            self.territory.arranged -= 1
            self.arranged = False
        self.status = FREE

    def abandon(self) -> None:
        self.model.abandoned += 1
        self.end()

    def failing_work(self) -> bool:
        if self.acting <= 0:
            return False
        pace = self.progress * self.duration / self.acting
        c = self.model.c
        return (pace - c.success_floor) / c.success_span < governance.STOP_ODDS

    def budget_session(self) -> int:
        """governance.budget_session: every partner voices its wish, the rule weighs them."""
        c = self.model.c
        rule, stop_check = int(c.rule), c.stop_check > 0.0
        national_say = rule == governance.MACRO_LED and any(s.actor.national for s in self.seats)
        total = self.pledged()
        failing = stop_check and self.failing_work()
        votes = []
        for seat in self.seats:
            a = seat.actor
            if rule == governance.MACRO_LED:
                w = 1.0 if (a.national if national_say else a is self.holder) else 0.0
            elif rule == governance.PROPORTIONAL:
                w = seat.share / total if total > 0.0 else 1.0
            elif rule == governance.SUBSIDIARITY:
                w = 0.0 if a.national else 1.0
            else:
                w = 1.0
            votes.append((seat, a.budget_vote(self, seat, failing, stop_check), w))
            if w > 0.0 and not (rule == governance.ARRANGER and self.arranged):
                a.time_used += c.meeting
        say = stop = accept = 0.0
        for _, vote, w in votes:
            say += w
            if vote == 3:
                stop += w
            elif vote == 1:
                accept += w
        if rule in (governance.MACRO_LED, governance.PROPORTIONAL):
            outcome = governance.STOP if stop > 0.5 * say else governance.SPEND
            for seat, vote, _ in votes:
                if vote == 2 or (vote == 3) != (outcome == governance.STOP):
                    seat.engagement = max(0.0, seat.engagement - c.overruled)
            return outcome
        if say > 0.0 and stop >= say:
            return governance.STOP
        if accept >= say:
            return governance.SPEND
        return governance.PENDING

    def leave(self, seat: Seat, take_back: bool) -> None:
        """common.leave: with ``take_back`` the partner withdraws its part of the pot."""
        total = self.pledged()
        s = seat.share / total if total > 0.0 else 0.0
        if take_back and s > 0.0:
            taken = self.pot * s
            self.pot -= taken
            seat.actor.money += taken
        self.seats.remove(seat)
        seat.actor.engaged -= 1

    def exit(self, seat: Seat, procedure: bool) -> None:
        """action.exit_with and exit_partner."""
        model, a = self.model, seat.actor
        if procedure:
            model.exit_orderly += 1
            self.leave(seat, False)
            if a is self.holder and model.c.succession > 0.0 and self.seats:
                self.holder = max(self.seats, key=lambda s: s.engagement).actor
            return
        disputed = self.pledged() > 0.0 and seat.share > 0.0 and self.pot > 0.0
        if not disputed:
            model.exit_orderly += 1
            self.leave(seat, False)
            return
        model.exit_conflict += 1
        self.leave(seat, True)
        for other in self.seats:
            other.engagement = clip01(other.engagement - common.EXIT_DISPUTE_LOSS)
            if a.national != other.actor.national:
                other.actor.trust = clip01(other.actor.trust - TRUST_LOSS)

    def month(self, research: float, friction: float) -> None:
        model, c, rng = self.model, self.model.c, self.model.rng
        u_setback, u_fail, u_eval, u_orderly, u_legal = (rng.random() for _ in range(5))
        vacant = len(self.seats) < MIN_PARTNERS  # a partner left under the exit procedure
        if self.wait > 0 and not vacant:  # a replacement joined: every partner pledges anew
            for seat in self.seats:
                a = seat.actor
                seat.share = a.capacity * min(self.monthly_cost * common.COFUND[a.kind],
                                              common.PLEDGE_CAP * a.income)
            self.wait = 0
        n = len(self.seats)
        q = practice(added(a.will for a in self.members) / n if n else 0.0, c.by_will)
        self.practice = q
        macro = self.national or self.macro_funded
        r = c.reporting if macro else 0.0
        valuation = between(c.valuation0, c.valuation, q)
        recorded = 1.0 - (1.0 - valuation) * (1.0 - r)
        due = withheld = 0.0
        for seat in self.seats:
            if seat.share > 0.0:
                due += seat.share
                if not seat.actor.pays(self, seat, recorded):
                    withheld += seat.share
        unfair = c.unfair_felt * withheld / due if due > 0.0 else 0.0
        if self.arranged and self.pot >= c.arranger_cost:
            self.pot -= c.arranger_cost
            model.spent += c.arranger_cost
            model.alliance_spent += c.arranger_cost
        held = vacant  # no work while a replacement is sought
        if not vacant and c.budget > 0.0 and self.acting > 0 and self.acting % int(c.budget) == 0:
            decision = self.budget_session()
            if decision == governance.STOP:
                return self.abandon()
            held = decision == governance.PENDING
        spend = min(self.pot, self.monthly_cost)
        delayed = not held and u_legal < action.LEGAL_DELAY * friction
        paused = held or (spend < action.PAUSE_SHARE * self.monthly_cost and not delayed)
        coordination = action.COORDINATION_COST * (n - 1.0) ** between(c.coord_exp0, c.coord_exp, q)
        gain = step_done = 0.0
        if delayed:
            self.acting += 1
        elif paused:
            self.paused += 1
            if self.paused > c.patience:
                return self.abandon()
        else:
            self.paused = 0
            self.pot -= spend
            model.spent += spend
            model.alliance_spent += spend
            skill = added(a.skill for a in self.members) / n
            fit = max(0.0, 1.0 - c.path_fit * (1.0 - self.fit))
            floor = action.ENGAGEMENT_FLOOR
            eff = ((action.SKILL_FLOOR + (1.0 - action.SKILL_FLOOR) * skill) * fit
                   * (floor + (1.0 - floor) * self.mean_engagement())
                   * (1.0 + self.territory.knowledge + self.knowledge + research)
                   * (1.0 - self.misalign) * (c.duplicate_effect if self.duplicate else 1.0))
            pooled = between(c.pooled0, c.pooled, q)
            overhead = action.OVERHEAD_UNIT * (1.0 + (n - 1.0) * (1.0 - pooled)) + coordination
            reporting = min(1.0, c.report_time * r / WORK_TIME)
            gain = eff * (spend / self.monthly_cost) * (1.0 - reporting) / (1.0 + overhead)
            self.work += gain
            step_done = action.PROGRESS_SCALE * gain / self.duration
            self.progress += step_done
            self.acting += 1
        self.gain = gain
        cement = 1.0 / (1.0 + c.cement * self.work / c.bond_work)
        milestone = 0.0
        if self.progress >= action.MILESTONE_STEP * (self.milestone + 1) and self.milestone < action.MILESTONES:
            self.milestone += 1
            milestone = action.MILESTONE_GAIN + between(c.celebrate0, c.celebrate, q)
        felt = {"coordination": coordination, "macro": macro, "valuation": valuation, "unfair": unfair,
                "gain": gain, "milestone": milestone, "cement": cement, "idle": paused or delayed, "r": r}
        for seat in self.seats:
            seat.actor.feel(self, seat, felt)
        if gain > 0.0 and c.joint_trust > 0.0 and any(a.kind == ASSOCIATION for a in self.members):
            joint = c.joint_trust * gain * between(c.joint0, c.joint, q)
            self.territory.coop_trust += min(1.0, joint) * (1.0 - self.territory.coop_trust)
        eng = self.mean_engagement()
        model.eng_sum += eng
        model.eng_n += 1
        model.active_sum += 1
        if u_setback < self.risk * (c.setback * step_done + c.setback_month):  # action's work_setbacks
            if u_fail < between(c.fail_ends0, c.fail_ends, q):
                return self.abandon()
            self.progress = max(0.0, self.progress - action.SETBACK_LOSS)
        evaluated = eng < FAILING_ENGAGEMENT and u_eval < between(c.evaluate0, c.evaluate, q)
        procedure = evaluated or u_orderly < between(c.procedure0, c.procedure, q)
        for seat in list(self.seats):
            if evaluated:
                seat.engagement = clip01(seat.engagement + c.evaluation_gain)
            if seat.actor.wants_out(seat):
                self.exit(seat, procedure)
        seeking = c.replace > 0.0 and (vacant or procedure)  # action's replacement_search
        if (len(self.seats) < MIN_PARTNERS and not seeking) or self.holder not in self.members:
            self.abandon()
        elif len(self.seats) < MIN_PARTNERS:
            self.wait = 1


class IdiomaticMonth(mesa.Model):
    """The actors, territories and alliances of a compiled model's state as Mesa agents and
    Python objects, for one month of a submodel; :meth:`same_as` checks that the objects end
    where the compiled kernel left the state (the alliances, the actors' ``ACTOR_FIELDS``, the
    territories' counters, the run counters ``COUNTERS`` and the national scalars ``NATIONAL``)."""

    ACTOR = PartnerActor
    ACTOR_FIELDS: tuple[str, ...] = ()
    COUNTERS: dict[str, int] = {}
    NATIONAL: dict[str, int] = {}

    def __init__(self, state: Any, c: Any, rng: np.random.Generator):
        super().__init__(rng=0)
        self.rng, self.c = rng, c
        self.actors = [self.ACTOR(self, traits, a) for a, traits in enumerate(rows(state.actors))]
        self.territories = []
        for t, row in enumerate(state.territories):
            a0, n = int(row["first_actor"]), int(row["n_actors"])
            territory = Territory(t, row, state.needs[t], self.actors[a0:a0 + n])
            territory.official = self.actors[row["official"]] if row["official"] >= 0 else None
            self.territories.append(territory)
        self.alliances = [
            Alliance(self, row, i, [Seat(self.actors[m], float(state.engagement[i, k]), float(state.share[i, k]))
                                    for k, m in enumerate(state.members[i]) if m >= 0])
            for i, row in enumerate(rows(state.initiatives[:state.live[0]]))]
        for name, slot in self.COUNTERS.items():
            setattr(self, name, float(state.acc[slot]))
        for name, slot in self.NATIONAL.items():
            setattr(self, name, float(state.nat[slot]))

    def same_as(self, state: Any) -> bool:
        ini = rows(state.initiatives[:state.live[0]])
        members, engagement, share = (state.members.tolist(), state.engagement.tolist(),
                                      state.share.tolist())
        for al, row in zip(self.alliances, ini, strict=True):
            i = al.index
            if any(getattr(al, name) != row[name] for name in Alliance.FIELDS):
                return False
            if (al.holder.index if al.holder else -1) != row["holder"] or len(al.seats) != row["n"]:
                return False
            if [(s.actor.index, s.engagement, s.share) for s in al.seats] != [
                    (m, engagement[i][k], share[i][k]) for k, m in enumerate(members[i]) if m >= 0]:
                return False
        for a, row in zip(self.actors, rows(state.actors), strict=True):
            if any(getattr(a, name) != row[name] for name in self.ACTOR_FIELDS):
                return False
        for t, row in zip(self.territories, rows(state.territories), strict=True):
            if (t.coop_trust, t.active, t.arranged) != (row["coop_trust"], row["active"], row["arranged"]):
                return False
        return (all(getattr(self, name) == state.acc[slot] for name, slot in self.COUNTERS.items())
                and all(getattr(self, name) == state.nat[slot] for name, slot in self.NATIONAL.items()))


class IdiomaticAction(IdiomaticMonth):
    """One month of action, per alliance and per partner."""

    ACTOR_FIELDS = ("money", "trust", "engaged", "time_used", "to_associations")
    COUNTERS = {"spent": A_SPENT, "alliance_spent": A_ALLIANCE_SPENT, "abandoned": A_ABANDONED,
                "ended": A_ENDED, "exit_orderly": A_EXIT_ORDERLY, "exit_conflict": A_EXIT_CONFLICT,
                "eng_sum": A_ENG_SUM, "eng_n": A_ENG_N, "active_sum": A_ACTIVE_SUM}
    NATIONAL = {"research": N_RESEARCH, "shared_knowledge": N_SHARED_KNOWLEDGE, "friction": N_FRICTION}

    def __init__(self, state: Any, c: Any, rng: np.random.Generator, month: int):
        super().__init__(state, c, rng)

    def step(self) -> None:
        research = self.research + self.c.shared * self.shared_knowledge
        for alliance in [a for a in self.alliances if a.status == ACTING]:
            alliance.month(research, self.friction)


# --- funding -------------------------------------------------------------------------------


class FundingActor(PartnerActor):
    """An actor receiving its means, applying for grants as a holder, and deciding grants as
    a funder (simulation/submodels/funding.py)."""

    def receive_means(self, january: bool) -> None:
        """funding.inflows: January budgets for funders (the rest lapses), monthly means for others."""
        model = self.model
        if self.cooldown > 0:
            self.cooldown -= 1
        if self.kind in (STATE, FOUNDATION):
            if january:
                model.spent += self.money
                self.money = self.income * MONTHS_PER_YEAR
                model.inflow += self.income * MONTHS_PER_YEAR
            return
        self.money += self.income
        model.inflow += self.income
        if january:
            extra = self.money - MONTHS_PER_YEAR * self.income
            if extra > 0.0:
                self.money -= extra
                model.spent += extra

    def staff_free(self) -> float:
        return self.staff - self.time_used - self.engaged * WORK_TIME

    def hold_rounds(self, month: int, j: int) -> None:
        """This funder's calls, pooled fund and direct link of the month (funding.step)."""
        model, c, rng = self.model, self.model.c, self.model.rng
        calls = 1.0 if c.direct_local_calls > 0.0 and not self.national else c.calls
        modes = ((funding.MODE_CALLS, calls, int(c.call_period)),
                 (funding.MODE_POOLED, c.pooled, int(c.local_tempo)),
                 (funding.MODE_DIRECT, c.direct if self.national else 0.0, 1))
        for mode, part, period in modes:
            theme = int(rng.integers(0, NDIM))
            if part <= 0.0 or (month + j) % period != 0:
                continue
            if mode == funding.MODE_POOLED and c.committee > 0.0:
                continue  # the territorial committees
            budget = min(self.money, self.income * part * period)
            if budget <= 0.0:
                continue
            themed = mode == funding.MODE_CALLS and c.themed > 0.0
            pool = [al for al in model.candidates
                    if (self.national or al.territory.region == self.region) and (not themed or al.dim == theme)]
            results = False
            if self.kind == STATE and mode != funding.MODE_POOLED and c.results > 0.0:
                results = c.results >= 1.0 or rng.random() < c.results
            self.allocate(mode, results and c.unpaid > 0.0, budget, theme, pool)

    def allocate(self, mode: int, results: bool, budget: float, theme: int, pool: list[Alliance]) -> None:
        """funding.allocate: the holders apply, the funder ranks their applications and grants."""
        model, c, rng = self.model, self.model.c, self.model.rng
        committee = (mode == funding.MODE_POOLED and c.committee > 0.0) or mode == funding.MODE_LOCAL
        applications = []
        for al in pool:
            if not ((al.status == AGREED and al.agreed) or al.status == ACTING):
                continue
            t = al.territory
            if not self.national and t.region != self.region:
                continue
            if mode == funding.MODE_LOCAL and al.holder.kind != ASSOCIATION:
                continue
            known = t.social_capital if committee else 0.0
            cost = c.cost * (1.0 - known)
            g = al.gap()
            if g <= 0.0:
                continue
            if mode == funding.MODE_CALLS and c.themed > 0.0 and al.dim != theme:
                continue
            h = al.holder
            noise = rng.normal()
            if not h.applies(g, budget, cost):
                continue
            need = 0.0
            for x in t.needs:
                need += x
            need /= NDIM
            q = al.practice
            evaluated = 1.0 if results else between(c.evaluated0, c.evaluated, q)
            noise *= c.noise * evaluated
            bias = between(c.bias0, c.bias, q) * evaluated * math.log(h.size)
            quality = al.quality()
            track = funding.TRACK_RECORD * math.log1p(h.wins)
            risk = max(0.0, al.risk - self.risk_tolerance)
            if committee:
                duty = t.official.duty if t.official is not None else self.duty
                score = (known * quality + (1.0 - known) * (between(c.quality0, c.quality, q) * quality
                                                             + bias + track + noise)
                         + duty * t.needs[al.dim] - risk)
            else:
                score = between(c.quality0, c.quality, q) * quality + bias + track + self.duty * need - risk + noise
            model.requested += g
            applications.append((al, score))
        for al, _ in sorted(applications, key=lambda x: -x[1]):
            h = al.holder
            g = min(al.gap(), budget, self.money)
            if g >= funding.MIN_AWARD * c.project_cost:
                budget -= g
                self.money -= g
                al.pot += g
                model.awarded += g
                if h.kind == ASSOCIATION:
                    self.to_associations += g
                if self.national:
                    al.macro_funded = True
                al.granted += g
                if results:
                    al.results_granted += g
                h.wins += 1
                h.failures = 0
                h.grants += g
                model.grants += 1
            else:
                h.failures += 1
                if h.failures >= c.max_fail:
                    h.cooldown = funding.COOLDOWN
                    h.failures = 0

    def applies(self, gap: float, budget: float, cost: float) -> bool:
        """As a holder: apply unless stopped, short of staff, or the expected grant is not worth the dossier."""
        model, c = self.model, self.model.c
        if self.cooldown > 0 or self.failures >= c.max_fail:
            return False
        if c.staff_limit > 0.0 and self.staff_free() < cost:
            return False
        p_hat = (self.wins + 1.0) / (self.applications + 2.0)
        if p_hat * min(gap, budget) <= c.staff_limit * cost * FTE_MONTH_KEUR:
            return False
        self.time_used += cost
        self.app_time += cost
        self.applications += 1
        model.applications += 1
        if self.kind == ASSOCIATION:
            model.assoc_app_time += cost
        return True

    def cofund(self, pool: list[Alliance]) -> None:
        """funding.public_cofunding: a local executive shares a year's set-aside among the
        initiatives it is a partner of, in proportion to what each lacks."""
        c = self.model.c
        supported = [al for al in pool if ((al.status == AGREED and al.agreed) or al.status == ACTING)
                     and self in al.members]
        lacking = 0.0
        for al in supported:
            lacking += max(0.0, al.gap())
        budget = min(self.money, between(c.cofund0, c.cofund, practice(self.will, c.cofund_will))
                     * MONTHS_PER_YEAR * self.income)
        if lacking <= 0.0 or budget <= 0.0:
            return
        for al in supported:
            g = max(0.0, al.gap()) * min(1.0, budget / lacking)
            if g <= 0.0:
                continue
            self.money -= g
            al.pot += g
            if al.holder.kind == ASSOCIATION:
                self.to_associations += g


class IdiomaticFunding(IdiomaticMonth):
    """One month of funding, per actor and per funder."""

    ACTOR = FundingActor
    ACTOR_FIELDS = ("money", "cooldown", "failures", "wins", "applications", "time_used", "app_time",
                    "to_associations", "grants")
    COUNTERS = {"spent": A_SPENT, "inflow": A_INFLOW, "applications": A_APPLICATIONS,
                "assoc_app_time": A_ASSOC_APP_TIME, "grants": A_GRANTS}
    NATIONAL = {"requested": N_REQUESTED, "awarded": N_AWARDED, "pressure": N_PRESSURE}

    def __init__(self, state: Any, c: Any, rng: np.random.Generator, month: int):
        super().__init__(state, c, rng)
        self.month = month
        self.funders = [self.actors[f] for f in state.funders]

    def step(self) -> None:
        c, month = self.c, self.month
        for actor in self.actors:
            actor.receive_means(month % MONTHS_PER_YEAR == 0)
        self.candidates = [al for al in self.alliances
                           if (al.status == AGREED and al.agreed) or al.status == ACTING]
        self.requested = self.awarded = 0.0
        for j, funder in enumerate(self.funders):
            funder.hold_rounds(month, j)
        by_territory: dict[Territory, list[Alliance]] = {t: [] for t in self.territories}
        for al in self.alliances:
            if al.status >= AGREED:
                by_territory[al.territory].append(al)
        if c.pooled > 0.0 and c.committee > 0.0 and month % int(c.local_tempo) == 0:
            self.committees(by_territory)
        budget_month = month % MONTHS_PER_YEAR == funding.LOCAL_GRANT_MONTH
        if c.local_share > 0.0 and budget_month:
            for t in self.territories:
                o = t.official
                if o is None:
                    continue
                budget = min(o.money, o.income * MONTHS_PER_YEAR * c.local_share)
                if budget > 0.0:
                    o.allocate(funding.MODE_LOCAL, False, budget, -1, by_territory[t])
                    o.time_used += c.committee_time
        if max(c.cofund, c.cofund0) > 0.0 and budget_month:
            for t in self.territories:
                if t.official is not None:
                    t.official.cofund(by_territory[t])
        if self.requested > 0.0:
            memory = funding.PRESSURE_MEMORY
            self.pressure = (1.0 - memory) * self.pressure + memory * (1.0 - self.awarded / self.requested)

    def committees(self, by_territory: dict[Territory, list[Alliance]]) -> None:
        """funding.committees: each funder's pooled envelopes, spent by each territory's actors together."""
        c = self.c
        need = {}
        for t in self.territories:
            need[t] = 0.0
            for x in t.needs:
                need[t] += x / NDIM
        period = int(c.local_tempo)
        envelopes = []
        for f in self.funders:
            scope = 0.0
            for t in self.territories:
                if f.national or t.region == f.region:
                    scope += need[t]
            envelopes.append((f, min(f.money, f.income * c.pooled * period), scope))
        for t in self.territories:
            held = False
            for f, budget, scope in envelopes:
                if budget <= 0.0 or scope <= 0.0 or not (f.national or t.region == f.region):
                    continue
                f.allocate(funding.MODE_POOLED, False, budget * need[t] / scope, -1, by_territory[t])
                held = True
            if held and t.official is not None:
                t.official.time_used += c.committee_time


def compare(model: Any, months: range) -> dict[str, Any]:
    """Time one month of funding, action and emergence, compiled and idiomatic, from the same states.

    ``model`` is a fresh :class:`simulation.AllianceModel`; at each month of ``months`` its
    state (at the month's start) is copied and both versions of each submodel run one step
    from the copy and the same random generator (building the idiomatic objects is not
    timed). Returns, per submodel and summed, the seconds of each (CPU time) and whether both
    ended in the same state and the same generator position.
    """
    versions = {
        "emergence": (lambda c, s, r, m: emergence.step(c, s, r), IdiomaticEmergence, _same_initiatives),
        "action": (lambda c, s, r, m: action.step(c, s, r), IdiomaticAction, IdiomaticAction.same_as),
        "funding": (lambda c, s, r, m: funding.step(c, m, s, r), IdiomaticFunding, IdiomaticFunding.same_as),
    }
    modules = {"emergence": emergence, "action": action, "funding": funding}
    out = {name: {"compiled_s": 0.0, "idiomatic_s": 0.0, "same_state": True} for name in versions}
    for name, (compiled, _, _) in versions.items():  # load the compiled kernels
        compiled(getattr(model.coefficients, name), copy.deepcopy(model.state), copy.deepcopy(model.rng),
                 model.month)
    for month in range(max(months) + 1):
        if month in months:
            for name, (compiled, idiomatic, same) in versions.items():
                c = getattr(model.coefficients, name)  # the compiled kernel's array
                named = modules[name].coefficients(model.params)  # the idiomatic code reads names
                s1, r1 = copy.deepcopy(model.state), copy.deepcopy(model.rng)
                s2, r2 = copy.deepcopy(model.state), copy.deepcopy(model.rng)
                t0 = time.process_time()
                compiled(c, s1, r1, model.month)
                out[name]["compiled_s"] += time.process_time() - t0
                idio = idiomatic(s2, named, r2, model.month)
                t0 = time.process_time()
                idio.step()
                out[name]["idiomatic_s"] += time.process_time() - t0
                out[name]["same_state"] &= bool(same(idio, s1) and r1.random() == r2.random())
        model.step()
    for r in out.values():
        r["ratio"] = r["idiomatic_s"] / r["compiled_s"]
    compiled_s = sum(r["compiled_s"] for r in out.values())
    idiomatic_s = sum(r["idiomatic_s"] for r in out.values())
    return {"submodels": list(versions), "compiled_s": compiled_s, "idiomatic_s": idiomatic_s,
            "ratio": idiomatic_s / compiled_s, "same_state": all(r["same_state"] for r in out.values()),
            "months": len(months), "per_submodel": out}


def _same_initiatives(idio: IdiomaticEmergence, state: Any) -> bool:
    got = [(i.status, i.territory, i.dim, len(i.members)) for i in idio.initiatives]
    return got == [(int(r["status"]), int(r["territory"]), int(r["dim"]), int(r["n"])) for r in state.initiatives]
