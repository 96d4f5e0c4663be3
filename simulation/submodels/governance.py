"""Governance: agreement on a shared objective, the path chosen under the power-sharing
rule, partners' money commitments, and the start of action.

Seed: « la collaboration, le faire alliance, nécessite de lâcher du lest. Vouloir tout
contrôler est contre-productif »; « il faut avoir un cadre commun et partagé, avec un
objectif commun, mais pas de contrainte sur la manière d'atteindre cet objectif »;
« attention au risque de trop de présence du macro »; « pas un chef d'orchestre mais un
arrangeur ».

The path is a point in [0, 1]; each partner prefers one (``actor.path``), the national
standard is ``P_STANDARD``. A rule is a way of weighting partners:

- ``macro_led``: national partners and the State's standard decide the path, and the
  national level sets the objective too (mechanism ``objective_from_above``): the need
  dimension highest nationally replaces the territory's own (« il y a un risque à ce que le
  macro fixe des objectifs pour atteindre les résultats »; the State sets national
  priorities);
- ``proportional``: weights are the money pledged (who pays decides: the rule's logic, not a quotation of the seed);
- ``equal``: one partner, one voice;
- ``subsidiarity``: local partners choose the path, national ones bring means only, but
  national means come with the State's standard (mechanism ``national_conditions``): an
  alliance with a national partner, or granted national money before it starts, is pulled
  towards the standard as under the other rules (« Tous les territoires ont le droit de
  développer un projet territorial. Le macro peut les y aider, mais de pas de manière
  homogène »; the missed appointments, « des initiatives gâchées par manque d'adéquation des
  projets avec des financements possibles »): where the local level decides, steering still
  imposes its path on those who take the State's help;
- ``arranger``: weights are partners' control preferences (the weighted mean minimises the
  summed squared frustration): a territorial catalyst, paid from the alliance's pot while
  it acts (``governance.arranger_cost``, action), proposes the compromise (« non pas un
  chef d'orchestre mais un arrangeur »; « en autonomie ou accompagnés par un tiers de
  confiance, tels que les "catalyseurs territoriaux" »).

Who decides, and when (mechanism ``deliberation``, ``decided``; le « faire alliance »
nécessite de « lâcher du lest ». « Vouloir tout contrôler est contre-productif »; « le temps des
évolutions à une échelle nationale n'est pas le même qu'en local »; « Je suis élu, j'ai le
droit de décider ». Non, chacun est légitime »): a rule is also who has a say on the path
and who can veto it. Each month before agreement the partners with a say accept the
proposal unless its gap to their own path costs them too much (chance ``control * |gap|``
of a veto) and spend ``constants.meeting_time`` at the table: under ``equal`` and
``arranger`` everyone must accept, under ``subsidiarity`` every local partner, under
``proportional`` the payers of more than half the pledges; under ``macro_led`` the national
level decides alone at its next review (tempo ``time.national_tempo_months``). Months of
deliberation count against the holder's patience; the partners overruled then bear their
frustration while the alliance acts (action).

Outside ``macro_led`` (and under ``subsidiarity`` only where national means came) the State's steering ``s =
governance.macro_steering`` pulls the path towards its standard (« attention au risque de trop
de présence du macro »; « le macro peut les y aider, mais de pas de manière homogène » [sic]):
``path = (1 - pull s) * sum(w p) / sum(w) + pull s * P_STANDARD`` (``constants.pull``) (mechanism
``imposed_path``). Steering also gives the shared frame: each partner knows the
national frame (objectives, vocabulary) with probability ``s``, and an alliance shares a frame
when at least one partner brings it (probability ``1 - (1 - s) ** n``); an alliance without one
is one of the « baronnies locales » whose partners' objectives diverge more: ``misalignment *= 1 + frame`` (``constants.frame``)
(mechanism ``baronnies``; the arranger « sans que les différents territoires [...] ne
deviennent des "baronnies locales" »; « il faut avoir un cadre commun et partagé, avec un
objectif commun, mais pas de contrainte sur la manière d'atteindre cet objectif »).
The alliance's fit to its territory is ``1 - |path - ideal_path|`` (« maintenir les
spécificités territoriales »). When every partner and every territory prefers the national
standard, the path, hence every outcome, is the same under every rule.

Who holds the purse and who may stop (mechanism ``budget_vote``, ``budget_session``; the
workshop: « Vouloir tout contrôler est contre-productif, mais cela est parfois difficile à
admettre »; « le faire alliance, comment on en sort ? »; « Je suis élu, j'ai le droit de
décider ». Non, chacun est légitime): every ``constants.budget_period`` months of action the
alliance's budget (how its pot is spent, and whether to go on) is decided under the rule. A
decider votes to stop when its engagement is below ``failing_engagement`` and the alliance
is failing on its work: at its pace so far it would end with a success chance below
``constants.stop_odds`` (mechanism ``stop_on_evaluation``, ``failing_work``: the workshop asks
for « des éléments d'évaluation. Cela est indispensable pour répondre, par exemple, au
problème d'un partenariat qui ne va pas bien ou qui échoue »: a stop answers a partnership
that fails, not a partner's mood alone; switched off, low engagement alone is enough, and
alliances on track whose payers were worn down by months without money are stopped too); it objects with
chance ``min(1, control * |own path - alliance path|)`` (the spending is not the one it
wants), and accepts otherwise. Under ``macro_led`` the national partners decide alone (the
holder when none), under ``proportional`` the payers of more than half the pledges: the
session ends at once, and every partner whose vote lost bears ``constants.overruled_loss``
of engagement (the frustration of the overruled). Under ``equal``, ``arranger`` and
``subsidiarity`` (local partners decide the local budget; national ones their own money)
the deciders must all agree: to go on, nobody objects; to stop, everybody wants to; else
the session goes on next month and the alliance spends nothing meanwhile (time to agree: a
paused month), nobody being overruled. Every partner at the table spends
``constants.meeting_time``; an arranger (paid from the pot, action) holds the session for
its partners, who spend none.

An agreed alliance starts acting, each month with the start probability times
``1 - friction``, once its pot and three months of pledges cover the start cover share of its
next three months' cost.

Levers: sdg_frame (a common frame of reference: « Les Objectifs de Développement Durable
sont retenus comme cadre commun de référence qui facilitent une sémantique partagée »; each
partner brings the SDGs as a frame as far as it practises them, mechanism
``sdg_common_frame``, so an alliance whose partners know neither the national frame nor the
SDGs is the one whose objectives diverge; and contributions made visible to the macro),
shared_objectives (objectives turned into acts: a higher start probability and a lower start
cover, i.e. partners act with the means in hand), tools (cheaper set-up). Agreement also needs the holder's staff time for the set-up.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..constants import value
from ..levers import pair
from ..params import RULES, Params
from ..state import ACTING, AGREED, ASSOCIATION, FIRM, N_KINDS, NDIM, OFFICIAL, K
from .common import (
    A_ABANDONED,
    A_CONTESTED,
    A_FORMED,
    A_FORMED_NATIONAL,
    A_FORMED_TWO_ASSOC,
    A_FORMED_TYPES,
    A_LOST,
    A_MISSED,
    A_PATH_SQ,
    A_PATH_SUM,
    A_SPENT,
    N_FRICTION,
    WORK_TIME,
    alliance_will,
    commit,
    end_initiative,
    pledged,
    practice,
    practised,
    record,
    staff_free,
)

(C_RULE, C_PULL, C_VISIBLE, C_MISALIGN, C_START, C_SETUP, C_PATIENCE,
 C_ARRANGER_CAP, C_COVER, C_FRAME, C_VISIBLE0, C_MISALIGN0, C_START0, C_SETUP0, C_COVER0,
 C_BY_WILL, C_FRAME_EXTRA, C_DELIBERATE, C_MEETING, C_REVIEW, C_OBJECTIVE,
 C_CONDITIONS) = range(22)
Coefficients = namedtuple("Coefficients", (
    "rule pull visible misalign start setup patience arranger_cap cover frame visible0 "
    "misalign0 start0 setup0 cover0 by_will frame_extra deliberate meeting review objective "
    "conditions"
))

MACRO_LED, PROPORTIONAL, EQUAL, SUBSIDIARITY, ARRANGER = range(5)
P_STANDARD = value("p_standard")
# share of a project's monthly cost each kind co-funds, in the order of Kind
MISALIGN_MAX = value("misalign_max")
COVER_MONTHS = int(value("cover_months"))
FAILING_ENGAGEMENT = value("failing_engagement")
STOP_ODDS = value("stop_odds")


def coefficients(p: Params) -> Coefficients:
    m = p.mechanisms
    steer = p.governance.macro_steering
    visible = pair(p, "sdg_frame", "visible")
    # the C_MISALIGN columns hold the chance a partner brings the SDGs as a frame (sdg_common_frame)
    misalign = pair(p, "sdg_frame", "frame") if m.sdg_common_frame else (0.0, 0.0)
    start = pair(p, "shared_objectives", "start")
    setup = pair(p, "tools", "setup")
    cover = pair(p, "shared_objectives", "cover")
    return record(
        Coefficients,
        rule=RULES.index(p.governance.rule),
        pull=p.constants.pull * steer if m.imposed_path else 0.0,
        visible=visible[1], misalign=misalign[1], start=start[1], setup=setup[1],
        patience=p.time.patience_months,
        arranger_cap=p.governance.arranger_capacity,
        cover=cover[1],
        frame=steer if m.baronnies else 1.0,
        visible0=visible[0], misalign0=misalign[0], start0=start[0], setup0=setup[0],
        cover0=cover[0],
        by_will=p.constants.will_full if m.practice_by_will else 0.0,
        frame_extra=p.constants.frame,
        deliberate=1.0 if m.deliberation else 0.0,
        meeting=p.constants.meeting_time,
        review=1.0 / p.time.national_tempo_months,
        objective=1.0 if m.objective_from_above else 0.0,
        conditions=1.0 if m.national_conditions else 0.0,
    )


@njit(cache=True)
def choose_path(c, ini, members, share, actors, i):
    rule = int(c[C_RULE])
    total = pledged(members, share, i)
    num = 0.0
    den = 0.0
    for k in range(K):
        a = members[i, k]
        if a < 0:
            continue
        if rule == MACRO_LED:
            w = 1.0 if actors[a].national else 0.0
        elif rule == PROPORTIONAL:
            w = share[i, k] / total if total > 0.0 else 1.0 / ini[i].n
        elif rule == SUBSIDIARITY:
            w = 0.0 if actors[a].national else 1.0
        elif rule == ARRANGER:
            w = actors[a].control + 1e-6
        else:
            w = 1.0
        num += w * actors[a].path
        den += w
    if rule == MACRO_LED:
        return (num + P_STANDARD) / (den + 1.0)
    chosen = num / den if den > 0.0 else P_STANDARD
    if rule == SUBSIDIARITY and not (c[C_CONDITIONS] > 0.0 and (ini[i].national or ini[i].macro_funded)):
        return chosen  # the local partners' path: no national partner nor national money
    pull = c[C_PULL]
    return (1.0 - pull) * chosen + pull * P_STANDARD


@njit(cache=True)
def repath(c, state, i):
    """The path of alliance ``i`` chosen again (``choose_path``), its fit to the territory and
    the path statistics moved with it: under ``subsidiarity``, national money granted after
    the partners agreed comes with the State's standard (mechanism ``national_conditions``)."""
    ini, acc = state.initiatives, state.acc
    old = ini[i].path
    path = choose_path(c, ini, state.members, state.share, state.actors, i)
    ini[i].path = path
    ini[i].fit = 1.0 - abs(path - state.territories[ini[i].territory].ideal_path)
    acc[A_PATH_SUM] += path - old
    acc[A_PATH_SQ] += path * path - old * old




@njit(cache=True)
def decided(c, ini, members, share, actors, i, rng):
    """Whether the partners who decide under the rule settle the alliance this month
    (mechanism ``deliberation``). The rule's proposal is the path of ``choose_path``; each
    partner with a say accepts it unless the gap to its own path is too large for it:
    with probability ``1 - min(1, control * |path_a - proposal|)`` (the frustration it would
    bear), and each spends ``constants.meeting_time`` of staff at the table this month.

    - ``macro_led``: the national level decides, at its own tempo: the alliance is settled
      at the next national review (chance ``1 / time.national_tempo_months`` a month);
      local partners have no say (and no meeting);
    - ``proportional``: who pays decides: settled when the partners who accept hold more
      than half of the pledged money;
    - ``equal`` and ``arranger``: one partner, one voice, and everyone's consent (each can
      veto); the arranger's proposal weights partners by how much a gap costs them, so it
      is vetoed least;
    - ``subsidiarity``: the local partners' consent; national ones bring means only.
    """
    rule = int(c[C_RULE])
    if rule == MACRO_LED:
        return rng.random() < c[C_REVIEW]
    commit(ini, members, share, actors, i)  # the pledges each partner brings to the table
    proposal = choose_path(c, ini, members, share, actors, i)
    total = pledged(members, share, i)
    yes = 0.0
    voice = 0.0
    for k in range(K):
        a = members[i, k]
        if a < 0 or (rule == SUBSIDIARITY and actors[a].national):
            continue
        actors[a].time_used += c[C_MEETING]
        w = share[i, k] / total if rule == PROPORTIONAL and total > 0.0 else 1.0
        voice += w
        if rng.random() >= min(1.0, actors[a].control * abs(actors[a].path - proposal)):
            yes += w
    if rule == PROPORTIONAL:
        return yes > 0.5 * voice
    return yes >= voice


SPEND, PENDING, STOP = range(3)


@njit(cache=True)
def failing_work(ini, i, floor, span):
    """Whether alliance ``i`` is failing on its work (mechanism ``stop_on_evaluation``): at
    its pace so far (progress per month of action times its duration) it would end with a
    success chance below ``constants.stop_odds`` (outcomes' chance
    ``(progress - success_floor) / success_span``). « Des éléments d'évaluation [...] indispensable
    pour répondre, par exemple, au problème d'un partenariat qui ne va pas bien ou qui échoue »."""
    if ini[i].acting <= 0:
        return False
    pace = ini[i].progress * ini[i].duration / ini[i].acting
    return (pace - floor) / span < STOP_ODDS


@njit(cache=True)
def budget_session(rule, meeting, overruled, state, i, rng, stop_check, odds):
    """The budget session of acting alliance ``i`` under ``rule`` (module docstring): returns
    ``SPEND`` (budget voted), ``PENDING`` (no agreement yet: nothing is spent this month) or
    ``STOP`` (the deciders end the alliance). With ``stop_check`` a partner wants to stop
    only when its engagement is low and the alliance is failing on its work
    (``failing_work``, ``odds`` being outcomes' ``(success_floor, success_span)``); without
    it, low engagement alone."""
    ini, members, share, engagement, actors = (state.initiatives, state.members, state.share,
                                               state.engagement, state.actors)
    leader = rule == MACRO_LED or rule == PROPORTIONAL
    national_say = False
    if rule == MACRO_LED:
        for k in range(K):
            if members[i, k] >= 0 and actors[members[i, k]].national:
                national_say = True
    total = pledged(members, share, i)
    failing = stop_check and failing_work(ini, i, odds[0], odds[1])
    votes = np.zeros(K, np.int64)  # 0 absent or no say, 1 accept, 2 object, 3 stop
    weight = np.zeros(K)
    for k in range(K):
        a = members[i, k]
        if a < 0:
            continue
        if rule == MACRO_LED:
            w = 1.0 if (actors[a].national if national_say else a == ini[i].holder) else 0.0
        elif rule == PROPORTIONAL:
            w = share[i, k] / total if total > 0.0 else 1.0
        elif rule == SUBSIDIARITY:
            w = 0.0 if actors[a].national else 1.0
        else:
            w = 1.0
        # every member's wish is drawn (the overruled are those whose wish lost)
        if engagement[i, k] < FAILING_ENGAGEMENT and (failing or not stop_check):
            votes[k] = 3
        elif rng.random() < min(1.0, actors[a].control * abs(actors[a].path - ini[i].path)):
            votes[k] = 2
        else:
            votes[k] = 1
        weight[k] = w
        if w > 0.0 and not (rule == ARRANGER and ini[i].arranged):
            actors[a].time_used += meeting
    say = 0.0
    stop = 0.0
    accept = 0.0
    for k in range(K):
        say += weight[k]
        if votes[k] == 3:
            stop += weight[k]
        elif votes[k] == 1:
            accept += weight[k]
    if leader:
        outcome = STOP if stop > 0.5 * say else SPEND
        for k in range(K):
            lost = votes[k] == 2 or (votes[k] == 3) != (outcome == STOP)
            if votes[k] > 0 and lost:
                engagement[i, k] = max(0.0, engagement[i, k] - overruled)
        return outcome
    if say > 0.0 and stop >= say:
        return STOP
    if accept >= say:
        return SPEND
    return PENDING


@njit(cache=True)
def national_priority(needs):
    """The need dimension with the highest mean unmet need over all territories."""
    best = 0
    top = -1.0
    for d in range(NDIM):
        m = 0.0
        for t in range(needs.shape[0]):
            m += needs[t, d]
        if m > top:
            top = m
            best = d
    return best


@njit(cache=True)
def set_objective(ini, weights, i, dim):
    """The alliance's objective becomes ``dim``: its impact weights follow (the weight it
    gave its own objective goes to the new one, and the reverse)."""
    old = ini[i].dim
    if dim != old:
        w = weights[i, old]
        weights[i, old] = weights[i, dim]
        weights[i, dim] = w
        ini[i].dim = dim


@njit(cache=True)
def agree(c, state, i, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, share, acc = state.members, state.share, state.acc
    t = ini[i].territory
    if int(c[C_RULE]) == MACRO_LED and c[C_OBJECTIVE] > 0.0:
        set_objective(ini, state.weights, i, national_priority(state.needs))
    ini[i].agreed = True
    acc[A_FORMED] += 1
    kinds = np.zeros(N_KINDS, np.int64)
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            kinds[actors[a].kind] += 1
            actors[a].partnered = True
            actors[a].alliances_joined += 1
    acc[A_FORMED_TYPES] += np.sum(kinds > 0)
    if ini[i].national:
        acc[A_FORMED_NATIONAL] += 1
    if kinds[ASSOCIATION] >= 2:
        acc[A_FORMED_TWO_ASSOC] += 1
    if kinds[OFFICIAL] > 0:
        for k in range(K):
            a = members[i, k]
            if a >= 0 and actors[a].kind == ASSOCIATION:
                actors[a].with_authority = True
    if kinds[FIRM] > 0:
        for k in range(K):
            a = members[i, k]
            if a >= 0 and actors[a].kind == ASSOCIATION:
                actors[a].with_firm = True
    if ini[i].local_cost > 0.0:
        ini[i].contested = True
        acc[A_CONTESTED] += 1
    commit(ini, members, share, actors, i)
    path = choose_path(c, ini, members, share, actors, i)
    ini[i].path = path
    ini[i].fit = 1.0 - abs(path - territories[t].ideal_path)
    acc[A_PATH_SUM] += path
    acc[A_PATH_SQ] += path * path
    q = practice(alliance_will(members, actors, i), c[C_BY_WILL])
    ini[i].practice = q
    ini[i].visible = practised(c[C_VISIBLE0], c[C_VISIBLE], q)
    unframed = (1.0 - c[C_FRAME]) ** ini[i].n  # no partner brings the national frame ...
    for k in range(K):  # ... nor the SDGs, as far as it practises them (sdg_common_frame)
        if members[i, k] >= 0:
            sdg = practice(actors[members[i, k]].will, c[C_BY_WILL])
            unframed *= 1.0 - practised(c[C_MISALIGN0], c[C_MISALIGN], sdg)
    framed = rng.random() < 1.0 - unframed
    ini[i].misalign = MISALIGN_MAX * rng.random() * (1.0 if framed else 1.0 + c[C_FRAME_EXTRA])
    if int(c[C_RULE]) == ARRANGER and territories[t].arranged < c[C_ARRANGER_CAP]:
        ini[i].arranged = True
        territories[t].arranged += 1


@njit(cache=True)
def step(c, state, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, share, acc, nat = state.members, state.share, state.acc, state.nat
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        if ini[i].status != AGREED:
            continue
        u = rng.random()
        if not ini[i].agreed:
            holder = ini[i].holder
            setup = practised(c[C_SETUP0], c[C_SETUP], practice(actors[holder].will, c[C_BY_WILL]))
            if staff_free(actors[holder]) >= setup + WORK_TIME and (
                    c[C_DELIBERATE] == 0.0 or decided(c, ini, members, share, actors, i, rng)):
                actors[holder].time_used += setup
                agree(c, state, i, rng)
            else:
                ini[i].wait += 1
                if ini[i].wait > c[C_PATIENCE]:
                    acc[A_LOST] += 1
                    end_initiative(state, i, A_SPENT)
                continue
        months = min(COVER_MONTHS, ini[i].duration)
        q = ini[i].practice
        ready = (ini[i].pot + months * pledged(members, share, i)
                 >= practised(c[C_COVER0], c[C_COVER], q) * ini[i].monthly_cost * months)
        if ready and u < practised(c[C_START0], c[C_START], q) * (1.0 - nat[N_FRICTION]):
            if (c[C_CONDITIONS] > 0.0 and int(c[C_RULE]) == SUBSIDIARITY and ini[i].macro_funded
                    and not ini[i].national):
                repath(c, state, i)  # national money came after agreement, with its conditions
            ini[i].status = ACTING
            ini[i].wait = 0
            territories[ini[i].territory].active += 1
            continue
        ini[i].wait += 1
        if ini[i].wait > c[C_PATIENCE]:
            acc[A_ABANDONED] += 1
            if not ready:
                acc[A_MISSED] += 1
            end_initiative(state, i, A_SPENT)
