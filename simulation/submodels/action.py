"""Action: alliances work, spend, progress; partners' engagement moves; partners exit.

Seed: engagement (*envie*) « entretient l'engagement » when victories are celebrated; « une
juste reconnaissance des contributions de chacun.e est indispensable pour maintenir
l'engagement dans le temps, or le macro ne peut pas voir où les contributions micro ont eu
lieu »; delays turn into inaction (« report ou retard des projets »); « le faire alliance,
comment on en sort ? »; the partners « veilleront à l'équilibre de la maison de chacun ».

Each month an acting alliance spends ``monthly_cost`` from its pot (if the pot is short it
pauses: no progress, engagement falls, and after ``time.patience_months`` of pause it is
abandoned); a month may also be lost to legal and administrative checks with probability
``LEGAL_DELAY * friction``: the project's clock runs, nothing is done (« report ou retard des projets [...] renforcé par des questions
juridiques »). Progress grows by ``effectiveness / (1 + overhead) / duration`` with

    effectiveness = (0.3 + 0.7 skill) * max(0, 1 - path_fit * (1 - fit))
                    * (0.4 + 0.6 engagement) * (1 + knowledge + research)
                    * (1 - misalignment) * (constants.duplicate_effect if duplicate)
    overhead = OVERHEAD_UNIT * (1 + (n - 1) * (1 - pooled)) + coordination,
    coordination = 0.04 * (n - 1) ** exponent

Each partner's engagement moves by progress and milestones, minus its frictions (times
``cement``, below): ``COORDINATION_STRAIN * coordination``, its frustration
``frustration * control * |preferred path - chosen path|`` (Axelrod & Bennett 1993; an arranger
lowers it only through the path it proposes, governance), minus unfairness when a macro partner or funder cannot see its contribution
``unfairness * (1 - visible) * (1 - valuation)``, minus delays (an imposed Charter erodes will, not engagement: learning).

The hazard falls with the alliance's age in work (mechanism ``work_cement``; Delevoye:
« le ciment de tout cela est la confiance »; Fichman & Levinthal 1991: the trust and
knowledge a relationship builds buffer its hazard as it ages): the frictions (coordination
strain, path frustration, unseen contributions, free-riding felt) are multiplied by
``cement = 1 / (1 + work / constants.bond_work)``, ``work`` being the work-months the partners have
delivered together. Without it every month carried the same frictions, a constant hazard of
exits.

Setbacks come with the work (mechanism ``work_setbacks``; the Charter's « si l'objectif est
préalablement défini, le chemin s'invente progressivement pour tenir compte des enseignements
du parcours commun effectué. Les alliances sont basées sur une mutuelle reconnaissance du
droit à l'erreur et à l'expérimentation »): a step of the path fails where a step is taken,
so the chance of a failed step in a month is ``constants.setback * risk * step``, ``step`` being the
share of the project's deliverables done that month (its progress; a milestone is a
quarter). A project meets about ``constants.setback * risk`` failed steps over its whole plan whatever
its length: a 60-month project takes the same steps as a 12-month one, each five times
bigger. A month without work (paused, delayed) takes no step and fails none. Off, a setback
is a calendar hazard, ``constants.setback_month * risk`` a month (the model before session 22), so a
project five times longer met five times the setbacks.

The other hazards stay per calendar month, each for a reason of the seed or of the
institutions it names: elections fall on the calendar (« le temps d'un élu local ou d'un
riverain n'est pas le même que celui d'un projet de long terme »: a longer project crosses
more elections, the seed's own tension); money comes in yearly budgets and grants of
``time.grant_duration_months`` (a longer project must be funded again more often, each
renewal a chance of « rendez-vous manqués »), and the budget session is yearly; internal
conflicts and residents' opposition come from partners and neighbours living with the
project month after month (conflicts: about one conflict in a 48-month project, Ansell &
Gash 2008), and partners' exits from frictions felt each month, which the work done together
absorbs (``work_cement``, above). A longer project is exposed to these longer; survival
falling with duration through them is the time tension the seed names, not an artefact.

Free-riding (mechanism ``free_riding``; « une juste reconnaissance des contributions de
chacun.e est indispensable pour maintenir l'engagement dans le temps »; « l'équilibre de la
maison »): each month a partner withholds its pledge with probability
``FREE_RIDE * (1 - engagement) * (1 - recorded)``, ``recorded = 1 - (1 - valuation) * (1 -
reporting)`` being the chance its contribution is recorded and credited (the Charter's
valuation of contributions, or the reporting a macro alliance demands). The pot is short by
what was withheld (less work, pauses) and every partner who paid loses ``UNFAIRNESS_FELT *
unfairness * withheld share`` of engagement (Fehr & Gächter 2000: contributors withdraw when
others free-ride).

Transparency (« il y a besoin de transparence pour la confiance [...] si elle devient
obligation (reporting, etc.) c'est trop lourd à porter »): in an alliance with a national
partner or national money, each partner spends ``REPORT_TIME * reporting`` FTE-months a month
reporting, time taken from the ``WORK_TIME`` it gives the alliance (the month's work falls by
that share, and its staff is busier); what is reported is information: each local partner's
trust in the macro closes ``TRANSPARENCY_TRUST * reporting`` of its gap to full trust, and
recorded contributions deter free-riding. Benefit and cost both come from the same reporting.

Pooled means (mechanism ``pooled_means``; the Charter's « Le partage de données, d'outils,
de méthodes, de ressources contribue à mieux appréhender les modèles de chacun des
partenaires »; « mutualiser »): each partner runs the alliance's work with its own tools,
data and premises, an overhead of ``OVERHEAD_UNIT`` of the work each, unless the partners
pool them: the share ``pooled`` of the sharing lever practised is run once for all. So the
overhead is ``OVERHEAD_UNIT * (1 + (n - 1) * (1 - pooled))``: sharing saves nothing in a
two-partner alliance's duplicates that a six-partner one does not save five times over.
Without the mechanism every partner keeps its own (``pooled = 0``).

Cooperation among associations (« la concurrence entre les structures [...] peut se
transformer en cohérence à partir d'un certain point, dès lors qu'on se demande comment
prendre soin les uns des autres »): each month an alliance with an association among its
partners works, the territory's cooperative trust (the associations' climate of mutual care)
closes ``JOINT_TRUST * work * joint`` of its gap to 1 (working with others is where one
learns to take care of them; competition between structures turns into coherence),
``joint`` rising with sharing (partners who share data, tools and methods understand each
other's models); cooperative trust lowers the deterrent of funding competition
(partner_search).

Exit (the workshop: « le faire alliance, comment on en sort ? »): a partner whose engagement
falls below ``EXIT_LEVEL``, or whose staff is overcommitted (its house's balance), leaves.
With an exit procedure agreed beforehand (probability ``procedure``, the exit clause practised;
always when evaluation detected the failing alliance) it leaves in order: its share of the pot
stays with the alliance, and if it held the project the most engaged partner takes the role
over (mechanism ``holder_succession``), so the alliance and its assets go on. If the exit
leaves fewer than two partners, the partner left looks for a replacement (mechanism
``replacement_search``): the alliance pauses (no work, no spending, its pot kept), partner
search meets candidates for the vacant seat as for a new alliance (same gates: benefit,
room, staff time, trust), a replacement pledges as partners do at agreement
(``common.commit``), and the alliance ends only if none joins within the holder's
patience (``time.patience_months`` of pause, as when money is short). Without a procedure the
exit is improvised: a partner that put money in takes its share of the pot back, a dispute
over assets counted as conflictual (the others lose engagement and, across levels, trust,
three times faster than it is built: Slovic 1993), a holder's exit ends the alliance, and so
does falling below two partners (nobody agreed how to carry on). Whether an exit is
conflictual is not drawn: it is a dispute over money.

Budget and stop (governance.budget_session, mechanism ``budget_vote``): every
``constants.budget_period`` months of action the power-sharing rule decides how the pot is
spent and whether to go on; a session not yet agreed is a month without spending (a pause),
a decision to stop ends the alliance. Deciders stop only an alliance failing on its work
(mechanism ``stop_on_evaluation``: « des éléments d'évaluation [...] pour répondre [...] au
problème d'un partenariat qui ne va pas bien ou qui échoue »).

The arranger (« il faut quelqu'un qui organise [...] non pas un chef d'orchestre mais un
arrangeur ») is paid ``governance.arranger_cost`` a month out of the alliance's pot (what it
buys is the compromise it proposes at agreement, governance).

Levers: sharing (pooled means: overhead not duplicated by each partner; joint work builds
cooperative trust), experimentation (a failed
step ends the alliance less often), evaluation (failing alliances detected: fixed, or closed
in order), contribution_valuation (contributions recorded: less free-riding, less felt
unfairness), animation_governance (coordination cost no longer explodes with size),
exit_clause (an exit procedure: the leaver's money stays, a holder hands its role over, a
replacement is sought), celebration (milestone engagement).
"""

from __future__ import annotations

from collections import namedtuple

from numba import njit

from ..constants import value
from ..levers import pair
from ..params import RULES, Params
from ..state import ACTING, ASSOCIATION, MIN_PARTNERS, K
from .common import (
    A_ABANDONED,
    A_ACTIVE_SUM,
    A_ALLIANCE_SPENT,
    A_ENG_N,
    A_ENG_SUM,
    A_SPENT,
    N_FRICTION,
    N_RESEARCH,
    N_SHARED_KNOWLEDGE,
    WORK_TIME,
    alliance_will,
    clip01,
    commit,
    end_initiative,
    exit_partner,
    mean_engagement,
    pledged,
    practice,
    practised,
    record,
    seat_of,
)
from .governance import PENDING, STOP, budget_session

(C_POOLED, C_COORD_EXP, C_FAIL_ENDS, C_EVALUATE, C_VALUATION, C_PROCEDURE, C_CELEBRATE,
 C_FRUSTRATION, C_UNFAIRNESS, C_PATH_FIT, C_REPORTING, C_PATIENCE,
 C_ARRANGER_COST, C_POOLED0, C_COORD_EXP0, C_FAIL_ENDS0, C_EVALUATE0, C_VALUATION0,
 C_PROCEDURE0, C_CELEBRATE0, C_BY_WILL, C_SHARED, C_FREE_RIDE, C_UNFAIR_FELT, C_REPORT_TIME,
 C_JOINT, C_JOINT0, C_JOINT_TRUST, C_SUCCESSION, C_TRANSPARENCY_TRUST, C_BUDGET, C_RULE,
 C_MEETING, C_OVERRULED, C_STOP_CHECK, C_CEMENT, C_REPLACE, C_SETBACK, C_SETBACK_MONTH,
 C_DUPLICATE_EFFECT, C_MACRO_UNFAIRNESS, C_EVALUATION_GAIN, C_BOND_WORK, C_SUCCESS_FLOOR,
 C_SUCCESS_SPAN) = range(45)
Coefficients = namedtuple("Coefficients", (
    "pooled coord_exp fail_ends evaluate valuation procedure celebrate frustration "
    "unfairness path_fit reporting patience arranger_cost pooled0 coord_exp0 "
    "fail_ends0 evaluate0 valuation0 procedure0 celebrate0 by_will shared free_ride "
    "unfair_felt report_time joint joint0 joint_trust succession transparency_trust budget rule "
    "meeting overruled stop_check cement replace setback setback_month duplicate_effect "
    "macro_unfairness evaluation_gain bond_work success_floor success_span"
))

EXIT_LEVEL = value("exit_level")
COORDINATION_STRAIN = value("coordination_strain")
LEGAL_DELAY = value("legal_delay")
PROGRESS_SCALE = value("progress_scale")
WORK_ENGAGEMENT = value("work_engagement")
MILESTONE_GAIN = value("milestone_gain")
PAUSE_SHARE = value("pause_share")
COORDINATION_COST = value("coordination_cost")
SKILL_FLOOR = value("skill_floor")
ENGAGEMENT_FLOOR = value("engagement_floor")
MILESTONE_STEP = value("milestone_step")
MILESTONES = 3  # at a quarter, a half and three quarters of the progress a success needs
FRUSTRATION_RATE = value("frustration_rate")
IDLE_LOSS = value("idle_loss")
SETBACK_LOSS = value("setback_loss")
FAILING_ENGAGEMENT = value("failing_engagement")
OVERHEAD_UNIT = value("overhead_unit")


def coefficients(p: Params) -> Coefficients:
    m = p.mechanisms
    pooled = pair(p, "sharing", "pooled") if m.pooled_means else (0.0, 0.0)
    coord_exp = pair(p, "animation_governance", "coordination_exponent")
    fail_ends = pair(p, "experimentation", "fail_ends")
    evaluate = pair(p, "evaluation", "detect")
    valuation = pair(p, "contribution_valuation", "recognition")
    procedure = pair(p, "exit_clause", "procedure")
    celebrate = pair(p, "celebration", "milestone")
    joint = pair(p, "sharing", "joint")
    k = p.constants
    return record(
        Coefficients,
        pooled=pooled[1], coord_exp=coord_exp[1], fail_ends=fail_ends[1],
        evaluate=evaluate[1], valuation=valuation[1], procedure=procedure[1],
        celebrate=celebrate[1],
        frustration=m.frustration, unfairness=m.unfairness, path_fit=m.path_fit,
        reporting=p.governance.reporting,
        patience=p.time.patience_months,
        arranger_cost=p.governance.arranger_cost,
        pooled0=pooled[0], coord_exp0=coord_exp[0], fail_ends0=fail_ends[0],
        evaluate0=evaluate[0], valuation0=valuation[0], procedure0=procedure[0],
        celebrate0=celebrate[0],
        by_will=k.will_full if m.practice_by_will else 0.0,
        shared=p.governance.macro_steering if m.baronnies else 1.0,
        free_ride=k.free_ride if m.free_riding else 0.0,
        unfair_felt=k.unfairness_felt * m.unfairness,
        report_time=k.report_time,
        joint=joint[1], joint0=joint[0],
        joint_trust=k.joint_trust if m.joint_work_trust else 0.0,
        succession=1.0 if m.holder_succession else 0.0,
        transparency_trust=k.transparency_trust,
        budget=k.budget_period if m.budget_vote else 0.0,
        rule=RULES.index(p.governance.rule), meeting=k.meeting_time, overruled=k.overruled_loss,
        stop_check=1.0 if m.stop_on_evaluation else 0.0,
        cement=1.0 if m.work_cement else 0.0,
        replace=1.0 if m.replacement_search else 0.0,
        setback=k.setback if m.work_setbacks else 0.0,
        setback_month=0.0 if m.work_setbacks else k.setback_month,
        duplicate_effect=k.duplicate_effect, macro_unfairness=k.macro_unfairness,
        evaluation_gain=k.evaluation_gain, bond_work=k.bond_work,
        success_floor=k.success_floor, success_span=k.success_span,
    )


@njit(cache=True)
def most_engaged(members, engagement, i):
    best = -1
    for k in range(K):
        if members[i, k] >= 0 and (best < 0 or engagement[i, k] > engagement[i, best]):
            best = k
    return best


@njit(cache=True)
def exit_with(state, i, k, procedure, succession):
    """Partner in seat ``k`` leaves alliance ``i``. Under an agreed ``procedure`` it leaves
    its share of the pot and, with ``succession``, hands the holder's role to the most
    engaged partner left; improvised, a partner with money in the pot takes it back, a
    dispute over assets (conflictual), and nobody takes the holder's role over."""
    ini, members, engagement, share = state.initiatives, state.members, state.engagement, state.share
    a = members[i, k]
    if procedure:
        exit_partner(state, i, k, True)
        if a == ini[i].holder and succession:
            j = most_engaged(members, engagement, i)
            if j >= 0:
                ini[i].holder = members[i, j]
        return
    total = pledged(members, share, i)
    disputed = total > 0.0 and share[i, k] > 0.0 and ini[i].pot > 0.0
    exit_partner(state, i, k, not disputed)




@njit(cache=True)
def step(c, state, rng):
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, engagement, share, acc = state.members, state.engagement, state.share, state.acc
    nat = state.nat
    research = nat[N_RESEARCH] + c[C_SHARED] * nat[N_SHARED_KNOWLEDGE]
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        if ini[i].status != ACTING:
            continue
        u_setback = rng.random()
        u_fail = rng.random()
        u_eval = rng.random()
        u_orderly = rng.random()
        u_legal = rng.random()
        t = ini[i].territory
        vacant = ini[i].n < MIN_PARTNERS  # a partner left under the exit procedure: no replacement yet
        if ini[i].wait > 0 and not vacant:  # a replacement joined (partner_search): it pledges as at agreement
            commit(ini, members, share, actors, i)
            ini[i].wait = 0
        n = ini[i].n
        q = practice(alliance_will(members, actors, i), c[C_BY_WILL])
        ini[i].practice = q
        macro = ini[i].national or ini[i].macro_funded
        r = c[C_REPORTING] if macro else 0.0
        valuation = practised(c[C_VALUATION0], c[C_VALUATION], q)
        recorded = 1.0 - (1.0 - valuation) * (1.0 - r)
        due = 0.0
        withheld = 0.0
        for k in range(K):
            a = members[i, k]
            if a >= 0 and share[i, k] > 0.0:
                due += share[i, k]
                if rng.random() < c[C_FREE_RIDE] * (1.0 - engagement[i, k]) * (1.0 - recorded):
                    withheld += share[i, k]  # free-riding: the pledge is not paid this month
                    continue
                pay = min(actors[a].money, share[i, k])
                actors[a].money -= pay
                ini[i].pot += pay
                if actors[ini[i].holder].kind == ASSOCIATION:
                    actors[a].to_associations += pay  # money by source (funder shares)
        unfair = c[C_UNFAIR_FELT] * withheld / due if due > 0.0 else 0.0
        if ini[i].arranged and ini[i].pot >= c[C_ARRANGER_COST]:
            ini[i].pot -= c[C_ARRANGER_COST]  # the partners pay their arranger
            acc[A_SPENT] += c[C_ARRANGER_COST]
            acc[A_ALLIANCE_SPENT] += c[C_ARRANGER_COST]
        held = vacant  # no work while a replacement is sought; else the budget session has not agreed yet
        if not vacant and c[C_BUDGET] > 0.0 and ini[i].acting > 0 and ini[i].acting % int(c[C_BUDGET]) == 0:
            decision = budget_session(int(c[C_RULE]), c[C_MEETING], c[C_OVERRULED], state, i, rng,
                                      c[C_STOP_CHECK] > 0.0, (c[C_SUCCESS_FLOOR], c[C_SUCCESS_SPAN]))
            if decision == STOP:
                acc[A_ABANDONED] += 1
                end_initiative(state, i, A_SPENT)
                continue
            held = decision == PENDING
        spend = min(ini[i].pot, ini[i].monthly_cost)
        delayed = not held and u_legal < LEGAL_DELAY * nat[N_FRICTION]
        paused = held or (spend < PAUSE_SHARE * ini[i].monthly_cost and not delayed)
        coordination = COORDINATION_COST * (n - 1.0) ** practised(c[C_COORD_EXP0], c[C_COORD_EXP], q)
        gain = 0.0
        step_done = 0.0  # share of the project's deliverables done this month (progress)
        if delayed:
            ini[i].acting += 1  # a month of the project lost to legal and administrative checks
        elif paused:
            ini[i].paused += 1
            if ini[i].paused > c[C_PATIENCE]:
                acc[A_ABANDONED] += 1
                end_initiative(state, i, A_SPENT)
                continue
        else:
            ini[i].paused = 0
            ini[i].pot -= spend
            acc[A_SPENT] += spend
            acc[A_ALLIANCE_SPENT] += spend
            skill = 0.0
            for k in range(K):
                if members[i, k] >= 0:
                    skill += actors[members[i, k]].skill
            skill /= n
            eng = mean_engagement(members, engagement, i)
            fit = max(0.0, 1.0 - c[C_PATH_FIT] * (1.0 - ini[i].fit))
            eff = ((SKILL_FLOOR + (1.0 - SKILL_FLOOR) * skill) * fit
                   * (ENGAGEMENT_FLOOR + (1.0 - ENGAGEMENT_FLOOR) * eng)
                   * (1.0 + territories[t].knowledge + ini[i].knowledge + research)
                   * (1.0 - ini[i].misalign) * (c[C_DUPLICATE_EFFECT] if ini[i].duplicate else 1.0))
            pooled = practised(c[C_POOLED0], c[C_POOLED], q)  # share of the partners' means run once
            overhead = OVERHEAD_UNIT * (1.0 + (n - 1.0) * (1.0 - pooled)) + coordination
            scale = spend / ini[i].monthly_cost
            reporting = min(1.0, c[C_REPORT_TIME] * r / WORK_TIME)  # share of work time spent reporting
            gain = eff * scale * (1.0 - reporting) / (1.0 + overhead)  # work-months delivered this month
            ini[i].work += gain
            step_done = PROGRESS_SCALE * gain / ini[i].duration
            ini[i].progress += step_done
            ini[i].acting += 1
        ini[i].gain = gain
        # trust built by the work done together absorbs the partners' frictions (mechanism
        # ``work_cement``): the monthly hazard of an exit falls with the alliance's age in work
        cement = 1.0 / (1.0 + c[C_CEMENT] * ini[i].work / c[C_BOND_WORK])
        milestone = 0.0
        if ini[i].progress >= MILESTONE_STEP * (ini[i].milestone + 1) and ini[i].milestone < MILESTONES:
            ini[i].milestone += 1
            milestone = MILESTONE_GAIN + practised(c[C_CELEBRATE0], c[C_CELEBRATE], q)
        for k in range(K):
            a = members[i, k]
            if a < 0:
                continue
            friction = COORDINATION_STRAIN * coordination
            friction += FRUSTRATION_RATE * c[C_FRUSTRATION] * actors[a].control * abs(actors[a].path - ini[i].path)
            if macro and not actors[a].national:
                friction += c[C_MACRO_UNFAIRNESS] * c[C_UNFAIRNESS] * (1.0 - ini[i].visible) * (1.0 - valuation)
            if share[i, k] > 0.0:
                friction += unfair  # it paid while others did not
            d = WORK_ENGAGEMENT * gain + milestone - friction * cement
            if paused or delayed:
                d -= IDLE_LOSS
            if r > 0.0 and not actors[a].national:
                actors[a].trust = clip01(actors[a].trust + c[C_TRANSPARENCY_TRUST] * r * (1.0 - actors[a].trust))
            actors[a].time_used += c[C_REPORT_TIME] * r
            engagement[i, k] = clip01(engagement[i, k] + d)
        if gain > 0.0 and c[C_JOINT_TRUST] > 0.0:
            n_assoc = 0
            for k in range(K):
                if members[i, k] >= 0 and actors[members[i, k]].kind == ASSOCIATION:
                    n_assoc += 1
            if n_assoc >= 1:
                joint = c[C_JOINT_TRUST] * gain * practised(c[C_JOINT0], c[C_JOINT], q)
                territories[t].coop_trust += min(1.0, joint) * (1.0 - territories[t].coop_trust)
        eng = mean_engagement(members, engagement, i)
        acc[A_ENG_SUM] += eng
        acc[A_ENG_N] += 1
        acc[A_ACTIVE_SUM] += 1
        # a failed step comes with the steps taken (mechanism ``work_setbacks``: per unit of
        # the project's deliverables, whatever its length), not with the calendar (off)
        if u_setback < ini[i].risk * (c[C_SETBACK] * step_done + c[C_SETBACK_MONTH]):
            if u_fail < practised(c[C_FAIL_ENDS0], c[C_FAIL_ENDS], q):
                acc[A_ABANDONED] += 1
                end_initiative(state, i, A_SPENT)
                continue
            ini[i].progress = max(0.0, ini[i].progress - SETBACK_LOSS)
        evaluated = eng < FAILING_ENGAGEMENT and u_eval < practised(c[C_EVALUATE0], c[C_EVALUATE], q)
        procedure = evaluated or u_orderly < practised(c[C_PROCEDURE0], c[C_PROCEDURE], q)
        for k in range(K):
            a = members[i, k]
            if a < 0:
                continue
            if evaluated:
                engagement[i, k] = clip01(engagement[i, k] + c[C_EVALUATION_GAIN])
            if engagement[i, k] < EXIT_LEVEL or actors[a].staff < actors[a].engaged * WORK_TIME:
                exit_with(state, i, k, procedure, c[C_SUCCESSION] > 0.0)
        # under the exit procedure the partners left look for a replacement (mechanism
        # ``replacement_search``): the alliance pauses, and ends only if none joins within the
        # holder's patience (paused months, above); an improvised exit leaves nobody to look
        seeking = c[C_REPLACE] > 0.0 and (vacant or procedure)
        if (ini[i].n < MIN_PARTNERS and not seeking) or seat_of(members, i, ini[i].holder) < 0:
            acc[A_ABANDONED] += 1
            end_initiative(state, i, A_SPENT)
        elif ini[i].n < MIN_PARTNERS:
            ini[i].wait = 1  # partner_search meets candidates for the vacant seat

