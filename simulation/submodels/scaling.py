"""Scaling: capitalised successes spread to neighbouring territories and may reach national
recognition — where the glass ceiling bites.

Seed: « nous sommes confrontés à un plafond de verre, nous avons une grosse difficulté à
valoriser, à travers un récit national, la diversité de ces initiatives »; the workshop names
its causes: « difficultés de se faire connaître et de diffuser l'information, dans un
contexte de sur-information »; « compétences et légitimité : difficultés de choisir « le bon
porteur de projets », reconnu comme tel localement et à un niveau macro »; « aspects
administratifs [...] transforment les porteurs de projets en responsables de réponses à AAP
et AMI »; and, in the same paragraph as the « plafond de verre », « Les tensions entre les
échelons territoriaux en sont l'une des explications majeures » (the macro's role:
« faciliter la coopération entre territoires et le passage à l'échelle »); « une plateforme unique
répertoriant toutes ces initiatives [...] permettrait de les interconnecter et de les
valoriser ».

National recognition is a selection under limited attention: at most
``constants.recognition_capacity`` recognitions per national review (learning resets the count), and each success is noticed with
probability

    RECOGNISE * macro_support * steering * visible * legitimacy * unburdened * narrative
    * told / (1 + crowding)

with five causes, each removable by a ``mechanisms`` switch:

- ``information_overload``: ``crowding`` is the year's successes over ``constants.attention`` per
  territory: the more signals compete, the less each is seen;
- ``holder_legitimacy``: the holder's recognition locally and nationally (outcomes);
- ``admin_burden_visibility``: ``unburdened = 1 / (1 + burden / COMMS_SHARE)``, burden being
  the share of the holder's staff time spent on applications, which is not spent making the
  initiative known;
- ``national_narrative``: a path that was not evaluated and capitalised cannot be told
  nationally (``narrative = UNTOLD`` instead of 1).
- ``level_tensions``: ``told`` is the mean trust in the macro of the territory's local actors
  over ``constants.tension_trust`` (neutral trust, the status quo's mean trust at its
  successes): a success is told upward as far as the local level trusts the national one. It
  is a factor around 1, not <= 1: trust moves during a run (transparency and recognitions
  raise it, disputed exits across levels lower it), so removing the tension raises scaling
  where local trust is below the status quo's and lowers it where it is above; at the
  status quo it is neutral, hence not a cause of the status quo's ceiling (docs/ODD.md
  7.10). The four other causes are factors <= 1.

``steering`` is ``governance.macro_steering`` (no national narrative without a national level;
1 when the ``baronnies`` mechanism is off). The hub platform (« une plateforme unique
répertoriant toutes ces initiatives d'alliances [...] permettrait de les interconnecter et de
les valoriser »; « difficultés de se faire connaître et de diffuser l'information, dans un
contexte de sur-information ») acts through attention, not on the chance of being adopted:
a success is listed with chance ``hub_platform_hub`` (practised by its territory's actors),
and a listed success is looked up under the need it serves, among that need's successes
only, so it competes with ``1 / NDIM`` of the signals (``crowding / NDIM``; mechanism
``hub_attention``). Where attention is not limited (``information_overload`` off) the
listing changes nothing on scaling; its other pathway helps holders find partners
(partner_search). Only a
capitalised success can be replicated by its neighbours (its path is known: they see it next
door). When its partners share it with the ecosystem (the innovation lever:
« les résultats obtenus doivent pouvoir être partagés avec l'écosystème afin d'envisager avec
lui les modalités de déploiement de l'innovation »), its path is made known even when it was
not capitalised, so its neighbours can replicate it, and it also reaches every territory where a
partner with a network beyond the territory (a national actor or the region's foundation) is
engaged in an alliance (mechanism ``network_diffusion``): these partners walked the path
themselves, so they carry it even when it was not capitalised, and they tell it to their own
partners there. A neighbour adopts with probability
``ADOPT * visible * legitimacy * unburdened / (1 + crowding)`` (the same holder's salience
that national attention sees): a local association of that territory, drawn at random, opens
a replica that starts with the path's knowledge (Deffuant, Huet & Amblard 2005: diffusion
needs both visibility and local will). Told by a carrier, an alliance's partners hear it
from someone they work with, not as one signal among many (« diffuser l'information, dans un
contexte de sur-information ») nor through the holder's own communication time: they adopt
with probability ``ADOPT * legitimacy`` (the holder's legitimacy still counts), and the
replica is opened by one of that alliance's associations (a seat drawn at random: an
association with will and a free slot). The innovation lever sets how far a success
travels, never the chance that a territory adopts it. Money alone multiplies
successes, hence signals, not attention: it does not break the ceiling. A recognition spreads
a little knowledge everywhere, raises local trust in the macro, and turns the duty of the
territory's actors into will (« le devoir d'alliance s'est transformé en envie d'alliance »).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import Params
from ..state import AGREED, ASSOCIATION, MONTHS_PER_YEAR, NDIM
from .common import (
    A_ADOPTION,
    A_RECOGNITION,
    E_BURDEN,
    E_CAPITALISED,
    E_CARRIER,
    E_DIM,
    E_LEGITIMACY,
    E_SUCCESS,
    E_TERRITORY,
    N_EVENTS,
    N_RECENT_SUCCESSES,
    N_RECOGNITION_LEFT,
    clip01,
    practice,
    practised,
    record,
    slots,
)
from .emergence import free_slot, new_initiative

(C_ADOPT, C_RECOGNISE, C_BY_WILL, C_OVERLOAD, C_BURDEN, C_NARRATIVE,
 C_WILL_DYN, C_COMMS_SHARE, C_UNTOLD, C_RECOGNITION_WILL, C_SHARED, C_SHARED0,
 C_NETWORK, C_ATTENTION, C_CAPACITY, C_TENSIONS, C_LISTED, C_LISTED0, C_TENSION_TRUST) = range(19)
Coefficients = namedtuple("Coefficients", (
    "adopt recognise by_will overload burden narrative will_dyn "
    "comms_share untold recognition_will shared shared0 network attention capacity tensions "
    "listed listed0 tension_trust"
))
ADOPTED_KNOWLEDGE = value("adopted_knowledge")
RECOGNITION_KNOWLEDGE = value("recognition_knowledge")
RECOGNITION_TRUST = value("recognition_trust")


def coefficients(p: Params) -> Coefficients:
    m = p.mechanisms
    listed = pair(p, "hub_platform", "hub") if m.hub_attention else (0.0, 0.0)
    innovation = pair(p, "innovation", "shared")
    steer = p.governance.macro_steering if m.baronnies else 1.0
    k = p.constants
    recognise = k.recognise * m.macro_support * steer
    return record(
        Coefficients,
        adopt=k.adopt, recognise=recognise,
        by_will=p.constants.will_full if m.practice_by_will else 0.0,
        overload=1.0 if m.information_overload else 0.0,
        burden=1.0 if m.admin_burden_visibility else 0.0,
        narrative=1.0 if m.national_narrative else 0.0,
        will_dyn=1.0 if m.will_dynamics else 0.0,
        comms_share=k.comms_share, untold=k.untold, recognition_will=k.recognition_will,
        shared=innovation[1], shared0=innovation[0],
        network=1.0 if m.network_diffusion else 0.0,
        attention=k.attention, capacity=k.recognition_capacity,
        tensions=1.0 if m.level_tensions else 0.0,
        listed=listed[1], listed0=listed[0],
        tension_trust=k.tension_trust,
    )


@njit(cache=True)
def replicate(ce, state, e, n, rng):
    """Territory ``n`` adopts event ``e``'s success: one of its actors, drawn at random,
    opens a replica if it is an association with will and a free slot."""
    territories, actors = state.territories, state.actors
    a0 = territories[n].first_actor
    holder = a0 + int(rng.random() * territories[n].n_actors)
    if (actors[holder].kind != ASSOCIATION or actors[holder].will <= 0.0
            or actors[holder].engaged >= slots(actors[holder])):
        return
    replicate_by(ce, state, e, n, holder, rng)


@njit(cache=True)
def replicate_by(ce, state, e, n, holder, rng):
    """Association ``holder`` of territory ``n`` opens a replica of event ``e``'s path."""
    actors, ini, events = state.actors, state.initiatives, state.events
    i = free_slot(ini)
    if i < 0:
        return
    new_initiative(ce, state, i, n, holder, int(events[e, E_DIM]),
                   actors[holder].risk_tolerance * rng.random(), rng)
    ini[i].knowledge = ADOPTED_KNOWLEDGE
    state.acc[A_ADOPTION] += 1


@njit(cache=True)
def network_reach(events, e, t, neighbours, ini, members, reached):
    """Mark in ``reached[n]`` an agreed or acting alliance of territory ``n`` (other than
    ``t`` and its neighbours) in which one of event ``e``'s carriers (its partners with a
    network beyond the territory) is engaged, -1 where there is none. Returns whether
    there was any carrier."""
    reached[:] = -1
    any_carrier = False
    for j in range(E_CARRIER, events.shape[1]):
        carrier = int(events[e, j])
        if carrier < 0:
            continue
        any_carrier = True
        for i in range(ini.shape[0]):
            if ini[i].status < AGREED:
                continue
            for k in range(members.shape[1]):
                if members[i, k] == carrier and reached[ini[i].territory] < 0:
                    reached[ini[i].territory] = i
    reached[t] = -1
    for j in range(neighbours.shape[1]):
        if neighbours[t, j] >= 0:
            reached[neighbours[t, j]] = -1
    return any_carrier


@njit(cache=True)
def told_partner(i, members, actors, rng):
    """The partner of alliance ``i`` a carrier tells about the path: a local association of
    that alliance, drawn at random among its seats, with will and a free slot; -1 if the
    seat drawn holds none."""
    k = int(rng.random() * members.shape[1])
    a = members[i, k]
    if (a < 0 or actors[a].kind != ASSOCIATION or actors[a].will <= 0.0
            or actors[a].engaged >= slots(actors[a])):
        return -1
    return a


@njit(cache=True)
def told_upward(territories, actors, t, neutral):
    """How readily territory ``t``'s local actors tell a success to the national level: their
    mean trust in the macro over ``constants.tension_trust`` (neutral trust), 1 at neutral, below 1
    where the levels are in tension, above 1 where the local trusts the national."""
    a0 = territories[t].first_actor
    total = 0.0
    n = 0
    for a in range(a0, a0 + territories[t].n_actors):
        if not actors[a].national:
            total += actors[a].trust
            n += 1
    return total / n / neutral if n > 0 else 1.0


@njit(cache=True)
def step(c, ce, state, rng):
    """``ce`` are emergence's coefficients, used to open replicas the same way."""
    territories, neighbours, actors = state.territories, state.neighbours, state.actors
    ini, members, events = state.initiatives, state.members, state.events
    acc, nat = state.acc, state.nat
    successes = 0.0
    for e in range(int(nat[N_EVENTS])):
        successes += events[e, E_SUCCESS]
    nat[N_RECENT_SUCCESSES] = nat[N_RECENT_SUCCESSES] * ((MONTHS_PER_YEAR - 1.0) / MONTHS_PER_YEAR) + successes
    crowding = c[C_OVERLOAD] * nat[N_RECENT_SUCCESSES] / (c[C_ATTENTION] * territories.shape[0])
    reached = -np.ones(territories.shape[0], np.int64)
    for e in range(int(nat[N_EVENTS])):
        if events[e, E_SUCCESS] < 0.5:
            continue
        t = int(events[e, E_TERRITORY])
        capitalised = events[e, E_CAPITALISED] > 0.5
        q = practice(territories[t].will, c[C_BY_WILL])  # the territory's actors tell and share it
        unburdened = 1.0 / (1.0 + c[C_BURDEN] * events[e, E_BURDEN] / c[C_COMMS_SHARE])
        listed = practised(c[C_LISTED0], c[C_LISTED], q)
        crowd = crowding
        if listed > 0.0 and crowding > 0.0 and rng.random() < listed:  # looked up under its need
            crowd = crowding / NDIM
        seen = events[e, E_LEGITIMACY] * unburdened / (1.0 + crowd)
        p_adopt = c[C_ADOPT] * seen
        shared = c[C_NETWORK] > 0.0 and rng.random() < practised(c[C_SHARED0], c[C_SHARED], q)
        for j in range(neighbours.shape[1]):
            n = neighbours[t, j]
            if n >= 0 and (capitalised or shared) and rng.random() < p_adopt:
                replicate(ce, state, e, n, rng)
        if shared and network_reach(events, e, t, neighbours, ini, members, reached):
            p_told = c[C_ADOPT] * events[e, E_LEGITIMACY]
            for n in range(territories.shape[0]):
                if reached[n] >= 0 and rng.random() < p_told:
                    holder = told_partner(reached[n], members, actors, rng)
                    if holder >= 0:
                        replicate_by(ce, state, e, n, holder, rng)
        narrative = 1.0 if (capitalised or c[C_NARRATIVE] <= 0.0) else c[C_UNTOLD]
        told = told_upward(territories, actors, t, c[C_TENSION_TRUST]) if c[C_TENSIONS] > 0.0 else 1.0
        p_recognise = c[C_RECOGNISE] * seen * narrative * told
        if nat[N_RECOGNITION_LEFT] > 0 and rng.random() < p_recognise:
            nat[N_RECOGNITION_LEFT] -= 1
            acc[A_RECOGNITION] += 1
            for s in range(territories.shape[0]):
                territories[s].knowledge += RECOGNITION_KNOWLEDGE * (1.0 - territories[s].knowledge)
            a0 = territories[t].first_actor
            for a in range(a0, a0 + territories[t].n_actors):
                actors[a].trust = clip01(actors[a].trust + RECOGNITION_TRUST)
                if c[C_WILL_DYN] > 0.0:
                    actors[a].will += c[C_RECOGNITION_WILL] * actors[a].duty * (1.0 - actors[a].will)
