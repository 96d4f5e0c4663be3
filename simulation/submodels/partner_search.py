"""Partner search: holders look for partners; each candidate weighs its own net benefit.

Seed: « le manque de connaissance des acteurs est à l'origine de nombreux blocages »;
« difficultés de se faire connaître [...] dans un contexte de sur-information »; the
Charter: « permettre à chacun de s'engager sereinement en fonction de ses objectifs, de ses
moyens, de sa maturité et de ses envies ». Each month a searching initiative meets a few
candidates: national actors (with probability ``constants.p_national``), the region's
foundation (``constants.p_regional``) or a local actor of its territory. A candidate joins when

    benefit = will * (duty * need + (1 - duty) * own_gain[kind]) * horizon_fit
              - max(0, risk - risk_tolerance) - 0.5 * unfunded_participation_cost / (staff + 0.1)

exceeds ``THRESHOLD`` (« performance pour chacun »), it has a free slot (*pouvoir*), enough
free staff time for the co-construction cost, and it trusts the holder (a draw against its
trust; between local actors, the mean of its trust and the territory's social capital).
``horizon_fit = 1`` when the project fits in its planning horizon, ``exp(-(D - h) / h)``
beyond; an official's horizon is the rest of its term plus ``TERM_SLACK`` months (weighted by
``mechanisms.electoral_horizon``). National actors answer at the
national tempo (« le temps des évolutions à une échelle nationale n'est pas le même qu'en
local »). Between associations, funding pressure deters alliances (« à la fois besoin de
coopérer et d'entrer en concurrence pour les subventions ») unless their accumulated trust
has turned competition into coherence.

An acting alliance left with one partner by an exit under an agreed procedure (action,
mechanism ``replacement_search``: « le faire alliance, comment on en sort ? ») meets
candidates the same way until one joins; it is not counted as formed again.

Levers: actor_mapping (holders meet funders), third_places (local actors of other types
meet), accessibility (small associations stop thinking « ce n'est pas pour moi »),
engineering_funding (the State pays the co-construction cost: « le coût de la participation
des citoyens est souvent oublié »).

Second pathways of three levers (issue 9, item 5; each removable by a ``mechanisms`` switch):

- mutual_trust (« Les parties s'engagent à se respecter mutuellement, et à travailler en
  confiance »; « le ciment de tout cela est la confiance »), switch ``trust_at_meeting``: a
  candidate who practises it sets aside the share ``mutual_trust_start`` of its distrust of
  the holder it meets (its starting trust in a new partnership).
- cross_domain (« Elles contribuent à décloisonner et à sortir des logiques en silos »),
  switch ``cross_domain_search``: a holder who practises it passes over a candidate of its
  own type for another with chance ``cross_domain_other_kind`` (combined with third places'
  redraw as independent chances): more types of partner become eligible.
- accessibility (« des gens se diraient « ce n'est pas pour moi » »; the research lever's
  « rendre les pratiques d'alliance plus accessibles »), switch ``volunteer_participation``:
  once the Charter speaks its language, a small association's volunteers carry the share
  ``accessibility_volunteers`` of its co-construction time, so the staff-time gate, which
  stops the lexicon's effect on will, binds less.
- hub_platform (« Une plateforme unique répertoriant toutes ces initiatives d'alliances [...]
  permettrait de les interconnecter et de les valoriser »; « le manque de connaissance des
  acteurs est à l'origine de nombreux blocages »), switch ``hub_partner_search``: a holder
  who uses the hub looks, with chance ``hub_platform_listing``, a second candidate up in its
  listing and asks the one more likely to say yes (the listing shows who has room, time and
  an interest in the need, and how far it trusts the holder: ``appeal``). The hub acts
  through the gates that bind (the benefit threshold and the trust draw), not through seats.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import Params
from ..state import (
    ACTING,
    AGREED,
    ASSOCIATION,
    FTE_MONTH_KEUR,
    KIND_NAMES,
    MIN_PARTNERS,
    NDIM,
    OFFICIAL,
    SEARCHING,
    K,
)
from .common import (
    A_LOST,
    A_SPENT,
    N_PRESSURE,
    PARTNER_ENGAGEMENT,
    WORK_TIME,
    add_member,
    end_initiative,
    months_to_election,
    practice,
    practised,
    record,
    slots,
    staff_free,
)

(C_NATIONAL, C_REGIONAL, C_CANDIDATES, C_OTHER_KIND, C_NOT_FOR_ME, C_FUNDED_SHARE,
 C_PARTICIPATION, C_STAFF_LIMIT, C_RESPOND, C_COMPETITION, C_PATIENCE, C_CYCLE,
 C_TERM_HORIZON, C_NATIONAL0, C_REGIONAL0, C_CANDIDATES0, C_OTHER_KIND0, C_NOT_FOR_ME0,
 C_FUNDED_SHARE0, C_BY_WILL, C_START, C_START0, C_CROSS, C_CROSS0, C_VOLUNTEERS,
 C_VOLUNTEERS0, C_LISTING, C_LISTING0) = range(28)
Coefficients = namedtuple("Coefficients", (
    "national regional candidates other_kind not_for_me funded_share participation "
    "staff_limit respond competition patience cycle term_horizon national0 regional0 "
    "candidates0 other_kind0 not_for_me0 funded_share0 by_will start start0 cross cross0 "
    "volunteers volunteers0 listing listing0"
))

THRESHOLD = value("threshold")
TARGET_SIZE = value("target_size")
TERM_SLACK = value("term_slack")
OWN_GAIN = np.array([value(f"own_gain_{kind}") for kind in KIND_NAMES])  # in the order of Kind
PARTICIPATION_WEIGHT = value("participation_weight")
STAFF_FLOOR = value("staff_floor")
SEARCH_MONTHS = int(value("search_months"))


def coefficients(p: Params) -> Coefficients:
    mapping = pair(p, "actor_mapping", "meet")
    k = p.constants
    national = (k.p_national * mapping[0], k.p_national * mapping[1])
    regional = (k.p_regional * mapping[0], k.p_regional * mapping[1])
    candidates = pair(p, "third_places", "candidates")
    other_kind = pair(p, "third_places", "other_kind")
    not_for_me = pair(p, "accessibility", "not_for_me")
    funded_share = pair(p, "engineering_funding", "funded")
    m = p.mechanisms
    start = pair(p, "mutual_trust", "start") if m.trust_at_meeting else (0.0, 0.0)
    cross = pair(p, "cross_domain", "other_kind") if m.cross_domain_search else (0.0, 0.0)
    volunteers = pair(p, "accessibility", "volunteers") if m.volunteer_participation else (0.0, 0.0)
    listing = pair(p, "hub_platform", "listing") if m.hub_partner_search else (0.0, 0.0)
    return record(
        Coefficients,
        national=national[1], regional=regional[1], candidates=candidates[1],
        other_kind=other_kind[1], not_for_me=not_for_me[1], funded_share=funded_share[1],
        participation=p.funding.participation_cost,
        staff_limit=p.mechanisms.small_staff_limit,
        respond=min(1.0, p.time.local_tempo_months / p.time.national_tempo_months),
        competition=p.mechanisms.competition,
        patience=p.time.patience_months,
        cycle=p.time.electoral_cycle_months,
        term_horizon=p.mechanisms.electoral_horizon,
        national0=national[0], regional0=regional[0], candidates0=candidates[0],
        other_kind0=other_kind[0], not_for_me0=not_for_me[0], funded_share0=funded_share[0],
        by_will=p.constants.will_full if p.mechanisms.practice_by_will else 0.0,
        start=start[1], start0=start[0], cross=cross[1], cross0=cross[0],
        volunteers=volunteers[1], volunteers0=volunteers[0],
        listing=listing[1], listing0=listing[0],
    )




@njit(cache=True)
def horizon(actor, territories, month, cycle, term_weight):
    h = actor.horizon
    if actor.kind == OFFICIAL:
        t = actor.territory
        term = min(h, float(months_to_election(month, territories[t].election_offset, cycle)) + TERM_SLACK)
        h = (1.0 - term_weight) * h + term_weight * term
    return h


@njit(cache=True)
def volunteered(c, actor):
    """Share of a small association's co-construction time its volunteers carry once the
    Charter speaks its language (accessibility, practised by the association's will)."""
    if actor.kind != ASSOCIATION or not actor.small:
        return 0.0
    return practised(c[C_VOLUNTEERS0], c[C_VOLUNTEERS], practice(actor.will, c[C_BY_WILL]))


@njit(cache=True)
def benefit(c, actor, need, risk, duration, h, unfunded):
    will = actor.will
    if actor.kind == ASSOCIATION and actor.small:
        # the lexicon is practised by the small association that reads it
        will *= practised(c[C_NOT_FOR_ME0], c[C_NOT_FOR_ME], practice(actor.will, c[C_BY_WILL]))
    if h <= 0.0:
        fit = 0.0
    elif duration <= h:
        fit = 1.0
    else:
        fit = np.exp(-(duration - h) / h)
    gain = actor.duty * need + (1.0 - actor.duty) * OWN_GAIN[actor.kind]
    return (will * gain * fit - max(0.0, risk - actor.risk_tolerance)
            - c[C_STAFF_LIMIT] * PARTICIPATION_WEIGHT * unfunded / (actor.staff + STAFF_FLOOR))


@njit(cache=True)
def pick(c, state, q, t, holder, n_national, regional, rng):
    """One candidate: the map is used by the holder (practice ``q``), third places by the
    territory's actors; a same-type candidate is passed over for another when either third
    places or the holder's cross-domain reflection lead it elsewhere."""
    territories, actors, national_first = state.territories, state.actors, state.national_first
    u = rng.random()
    p_nat = practised(c[C_NATIONAL0], c[C_NATIONAL], q)
    if u < p_nat and n_national > 0:
        return national_first + rng.integers(0, n_national)
    if u < p_nat + practised(c[C_REGIONAL0], c[C_REGIONAL], q) and regional >= 0:
        return regional
    a0 = territories[t].first_actor
    n = territories[t].n_actors
    a = a0 + rng.integers(0, n)
    qt = practice(territories[t].will, c[C_BY_WILL])
    other = 1.0 - ((1.0 - practised(c[C_OTHER_KIND0], c[C_OTHER_KIND], qt))
                   * (1.0 - practised(c[C_CROSS0], c[C_CROSS], q)))
    if rng.random() < other and actors[a].kind == actors[holder].kind:
        a = a0 + rng.integers(0, n)
    return a


@njit(cache=True)
def funded_share(c, state, q):
    """Share of the participation cost the State pays (engineering_funding), 0 when it has no money."""
    funded = practised(c[C_FUNDED_SHARE0], c[C_FUNDED_SHARE], q) * c[C_PARTICIPATION]
    if state.actors[state.state_actor].money < funded * FTE_MONTH_KEUR:
        funded = 0.0
    return funded


@njit(cache=True)
def trust_in(c, state, a, holder, t):
    """The trust candidate ``a`` grants ``holder`` (the chance it passes the trust draw)."""
    actors, territories = state.actors, state.territories
    if actors[a].national or actors[holder].national:
        trust = actors[a].trust
    else:
        trust = 0.5 * (actors[a].trust + territories[t].social_capital)
    return trust + (1.0 - trust) * practised(c[C_START0], c[C_START], practice(actors[a].will, c[C_BY_WILL]))


@njit(cache=True)
def appeal(c, state, i, a, need, q, month):
    """What the hub's listing tells a holder of candidate ``a``: 0 if it has no room or time or
    would not gain enough, else the trust it grants the holder."""
    actors, ini, members = state.actors, state.initiatives, state.members
    holder = ini[i].holder
    if a == holder or actors[a].engaged >= slots(actors[a]):
        return 0.0
    for k in range(K):
        if members[i, k] == a:
            return 0.0
    unfunded = (c[C_PARTICIPATION] - funded_share(c, state, q)) * (1.0 - volunteered(c, actors[a]))
    if c[C_STAFF_LIMIT] > 0.0 and staff_free(actors[a]) < unfunded + WORK_TIME:
        return 0.0
    h = horizon(actors[a], state.territories, month, int(c[C_CYCLE]), c[C_TERM_HORIZON])
    if benefit(c, actors[a], need, ini[i].risk, ini[i].duration, h, unfunded) <= THRESHOLD:
        return 0.0
    return trust_in(c, state, a, holder, ini[i].territory)


@njit(cache=True)
def step(c, month, state, rng):
    territories, needs, actors = state.territories, state.needs, state.actors
    ini, weights, members = state.initiatives, state.weights, state.members
    regional_foundation, national_first = state.regional_foundation, state.national_first
    state_actor, acc, nat = state.state_actor, state.acc, state.nat
    pressure = nat[N_PRESSURE]
    cycle = int(c[C_CYCLE])
    n_national = actors.shape[0] - national_first
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        # an acting alliance left short by an exit under the procedure seeks a replacement (action)
        replacing = ini[i].status == ACTING and ini[i].wait > 0 and ini[i].n < MIN_PARTNERS
        if ini[i].status != SEARCHING and not replacing:
            continue
        if not replacing:
            ini[i].wait += 1
        t = ini[i].territory
        holder = ini[i].holder
        wsum = 0.0
        need = 0.0
        for d in range(NDIM):
            if weights[i, d] > 0.0:
                need += weights[i, d] * needs[t, d]
                wsum += weights[i, d]
        need = need / wsum if wsum > 0.0 else 0.0
        regional = regional_foundation[territories[t].region]
        q = practice(actors[holder].will, c[C_BY_WILL])
        qt = practice(territories[t].will, c[C_BY_WILL])
        x_cand = practised(c[C_CANDIDATES0], c[C_CANDIDATES], qt)
        n_cand = int(x_cand)
        if x_cand > n_cand and rng.random() < x_cand - n_cand:  # a fraction of a candidate: met with its probability
            n_cand += 1
        for r in range(n_cand):
            a = pick(c, state, q, t, holder, n_national, regional, rng)
            if r == 0:
                a = territories[t].official  # a holder first asks its local executive
            else:
                listing = practised(c[C_LISTING0], c[C_LISTING], q)
                if listing > 0.0 and rng.random() < listing:  # the hub: a second candidate looked up
                    b = pick(c, state, q, t, holder, n_national, regional, rng)
                    if appeal(c, state, i, b, need, q, month) > appeal(c, state, i, a, need, q, month):
                        a = b
            u_trust = rng.random()
            u_comp = rng.random()
            u_resp = rng.random()
            if (ini[i].n >= K or a == holder or actors[a].engaged >= slots(actors[a])
                    or (replacing and ini[i].n >= MIN_PARTNERS)):
                continue
            seated = False
            for k in range(K):
                if members[i, k] == a:
                    seated = True
            if seated:
                continue
            if actors[a].national and u_resp >= c[C_RESPOND]:
                continue
            funded = funded_share(c, state, q)
            unfunded = (c[C_PARTICIPATION] - funded) * (1.0 - volunteered(c, actors[a]))
            if c[C_STAFF_LIMIT] > 0.0 and staff_free(actors[a]) < unfunded + WORK_TIME:
                continue
            h = horizon(actors[a], territories, month, cycle, c[C_TERM_HORIZON])
            b = benefit(c, actors[a], need, ini[i].risk, ini[i].duration, h, unfunded)
            if b <= THRESHOLD:
                continue
            if u_trust >= trust_in(c, state, a, holder, t):
                continue
            if (actors[a].kind == ASSOCIATION and actors[holder].kind == ASSOCIATION
                    and u_comp < c[C_COMPETITION] * pressure * (1.0 - territories[t].coop_trust)):
                continue
            add_member(state, i, a, PARTNER_ENGAGEMENT)
            actors[a].time_used += unfunded
            if funded > 0.0:
                actors[state_actor].money -= funded * FTE_MONTH_KEUR
                if actors[a].kind == ASSOCIATION:
                    actors[state_actor].to_associations += funded * FTE_MONTH_KEUR
                acc[A_SPENT] += funded * FTE_MONTH_KEUR
        if replacing:
            continue
        if ini[i].n >= TARGET_SIZE or (ini[i].n >= MIN_PARTNERS and ini[i].wait >= SEARCH_MONTHS):
            ini[i].status = AGREED
            ini[i].wait = 0
            ini[i].agreed = False
        elif ini[i].wait > c[C_PATIENCE]:
            acc[A_LOST] += 1
            end_initiative(state, i, A_SPENT)
