"""Funding: inflows of means, and grants under the funding regime in force.

Seed: « l'omniprésence et la complexité des appels à projets et des appels à manifestations
d'intérêts [...] transforment les porteurs de projets en responsables de réponses à AAP et
AMI. Ils consacrent beaucoup de temps à y répondre, avec peu de sélectionnés finalement »;
« rendez-vous manqués : des initiatives gâchées par manque d'adéquation des projets avec des
financements possibles »; « un lien direct entre le local et le national, facilitant les
financements ».

Funders (the State, national and local foundations) receive their yearly budget each
January; what is left of the previous one lapses. Other actors receive their means monthly
and spend on their own operations, each January, what exceeds a year of means. An alliance
seeks money when its pot does not cover the next grant period
(``time.grant_duration_months``). Each funder opens allocation rounds by mode:

- calls (``competitive_calls``; part of ``mixed``; local foundations under ``direct_link``):
  every ``funding.call_period_months``, one theme (a need dimension) per call when
  ``funding.themed_calls``; a holder applies when the expected value
  ``(wins + 1) / (applications + 2) * gap`` exceeds the staff cost of applying
  (``funding.application_cost`` FTE-months; none with mechanism ``application_burden``
  off), when it has that staff time free and when it
  has not failed ``funding.max_failures`` times in a row (then it stops for a year: the
  funding model of Geard & Noble 2010, the brief's "Geard–Silverman"). Funders rank applications on
  ``seen * quality + visibility_bias * log(size) + 0.3 * log(1 + wins) + duty_f * need
  - max(0, risk - risk_tolerance_f) + noise``, quality being
  ``2 (0.5 + 0.5 skill) fit (1 - misalignment)`` and ``seen`` how much of it the funder can
  see (lever data: « les alliances d'intérêt général ont besoin de données »); a funder's duty (*devoir*) favours needy
  territories, its tolerance of risk decides how far it backs risky projects (the seed's
  « acceptation de la prise de risques »; that foundations tolerate more risk than the State
  is the domain brief's reading, not a quotation) (visible and large
  holders favoured, Matthew effect: Bol et al. 2018) and fund down the ranking while the
  call's budget lasts
  (the last award may be partial, never under ``MIN_AWARD`` months of a median project's cost).
- pooled territorial fund (``pooled_fund``; part of ``mixed``): a fund decided by local
  actors together (mechanism ``territorial_committee``; « le macro peut les y aider, mais
  de pas de manière homogène » [sic]; « le manque de connaissance des acteurs est à l'origine de
  nombreux blocages »). Every ``time.local_tempo_months`` each funder splits its pooled
  budget into envelopes, one per territory it serves, in proportion to the territory's mean
  need, and each territory's committee (its local actors; its local executive spends
  ``constants.committee_time`` of staff a session) ranks the applications of its own
  territory. The committee knows its initiatives as far as the territory's social capital
  ``k`` goes (*interconnaissance*): a dossier only tells it what it does not know, so the
  application costs ``(1 - k)`` of a call's; it sees the quality of the share ``k`` it knows
  and falls back, for the rest, on the call's ranking (what the funder sees, the holder's
  size and wins, noise); it weighs its territory's need in the initiative's dimension with
  the local executive's duty, and takes the funder's risk tolerance. No theme. Knocked out,
  the pooled fund is the funder's own untheamed round at the local tempo, ranked as a call
  at a call's cost: what differs from calls is then only when it decides.
- direct local–national channel (``direct_link``, national funders): no intermediary and
  no window (« un lien direct entre le local et le national, facilitant les financements »):
  a holder's request reaches the national funder any month, with no theme, and is ranked as
  a call is by the same national deciders, at the same dossier cost (the funder does not
  know the holder); local foundations keep their calls. Its difference from calls is when
  money can be asked for and for what, not a cheaper application.

The success rate is an outcome. Funding pressure, read by partner search, is a moving
average of the share of requested money that was not awarded. Money moves only between balances and pots or out as
spending, so ``balances + spending = initial + inflows`` holds every month.
Lever: data (less information asymmetry: funders see the quality of what they fund and
rely less on holders' visibility). Lever evaluation, its second pathway (mechanism
``evaluated_selection``): « la valeur du chemin nécessite d'être évaluée conjointement, et
faire l'objet d'une recherche de valorisation respective pour contribuer à l'intérêt général
par le retour d'expériences »; « difficultés de choisir « le bon porteur de projets » »: an
alliance whose partners evaluate their path jointly hands funders a reading of it, so they
rely less on chance and on the holder's visibility (its size): the score's noise and its
visibility-bias term are both multiplied by ``evaluation_noise`` (placed by the alliance's
practice): funders select on evidence, not more.

A macro that funds results without the path (mechanism ``unpaid_path``; « Le chemin est
aussi important que le résultat. Il y a un risque à ce que le macro fixe des objectifs pour
atteindre les résultats, sans fixer le chemin »; the Charter's « l'attachement à garder
mémoire non seulement des résultats mais aussi du chemin est un gage d'intérêt général »):
a share ``funding.results_contracts`` of the State's calls and direct rounds are results
contracts (a round is one when a draw falls under that share; none at 0, all at 1; the
pooled fund's committees are local decisions and never are). A results contract pays for
deliverables: the State ranks without reading the alliance's evaluation of its path (the
``evaluated_selection`` factor is 1), and its grant does not pay for evaluating and
capitalising how things were done. ``initiatives.results_granted`` records the money (of
``granted``), and at the end of the project that share of the path goes uncapitalised
unless a local partner gives the time out of its own staff (outcomes, mechanism
``local_gap_filling``). The
short-term results are the same work; what stalls is the knowledge stock, hence later
effectiveness and the national narrative that scaling needs.

Local authorities' own grant programmes (mechanism ``local_grants``; « elles ont à la fois
besoin de coopérer et d'entrer en concurrence pour les subventions offertes par les
fondations et le secteur public »; « le micro [...] apporte le financement manquant »): each
local executive, once a year after its budget vote (``LOCAL_GRANT_MONTH``, April), puts
``funding.local_grant_share`` of a year of its means into grants to the initiatives its
territory's associations hold, and decides them as a territorial committee does (it knows
its initiatives as far as the territory's social capital goes, at that dossier cost, with its
own duty and risk tolerance). Besides it, local executives give as alliance partners.

Public co-funding (mechanism ``public_cofunding``; lever public_interest_articulation: « la
co-construction du bien commun [...] se doit de s'articuler à la gestion de l'intérêt
général, garantie par les élus compétents »; « le micro [...] apporte le financement
manquant »): a local executive that is a partner of an initiative of its territory has made
it part of the public interest it manages, and once a year, after its budget vote
(``LOCAL_GRANT_MONTH``), it co-funds it from its budget: it sets aside the share ``cofund``
of a year of its means (the articulation it practises, by its will) and shares it among the
initiatives it is a partner of in proportion to the money each lacks for its next grant
period, while its money lasts. Without the lever an official partner
pays its ordinary pledge only (common.commit). What articulation buys is then money,
hence work, survival through the next grant period and impact, which it does not set.
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
    FOUNDATION,
    FTE_MONTH_KEUR,
    MONTHS_PER_YEAR,
    NDIM,
    STATE,
    K,
)
from .common import (
    A_APPLICATIONS,
    A_ASSOC_APP_TIME,
    A_GRANTS,
    A_INFLOW,
    A_SPENT,
    N_AWARDED,
    N_PRESSURE,
    N_REQUESTED,
    by_territory,
    group,
    pledged,
    practice,
    practised,
    record,
    seat_of,
    staff_free,
)

(C_CALLS, C_POOLED, C_DIRECT, C_NOISE, C_BIAS, C_COST, C_THEMED, C_MAX_FAIL, C_GRANT,
 C_CALL_PERIOD, C_LOCAL_TEMPO, C_STAFF_LIMIT, C_DIRECT_LOCAL_CALLS, C_PROJECT_COST,
 C_QUALITY, C_BIAS0, C_QUALITY0, C_COMMITTEE, C_COMMITTEE_TIME, C_EVALUATED,
 C_EVALUATED0, C_RESULTS, C_UNPAID, C_LOCAL_SHARE, C_COFUND, C_COFUND0, C_COFUND_WILL) = range(27)
Coefficients = namedtuple("Coefficients", (
    "calls pooled direct noise bias cost themed max_fail grant call_period local_tempo "
    "staff_limit direct_local_calls project_cost quality bias0 quality0 committee committee_time "
    "evaluated evaluated0 results unpaid local_share cofund cofund0 cofund_will"
))

MODE_CALLS, MODE_POOLED, MODE_DIRECT, MODE_LOCAL = 0, 1, 2, 3
LOCAL_GRANT_MONTH = int(value("local_grant_month"))
RESULTS = 4  # added to a mode: a round of the State's results contracts (unpaid_path)
MIN_AWARD = value("min_award")
TRACK_RECORD = value("track_record")
COOLDOWN = int(value("cooldown"))
PRESSURE_MEMORY = value("pressure_memory")


def coefficients(p: Params) -> Coefficients:
    f = p.funding
    calls, pooled, direct = {
        "competitive_calls": (1.0, 0.0, 0.0),
        "pooled_fund": (0.0, 1.0, 0.0),
        "direct_link": (0.0, 0.0, 1.0),
        "mixed": (1.0 - f.pooled_share, f.pooled_share, 0.0),
    }[f.regime]
    bias = pair(p, "data", "bias")
    seen = pair(p, "data", "seen")
    evaluated = pair(p, "evaluation", "noise") if p.mechanisms.evaluated_selection else (1.0, 1.0)
    cofund = pair(p, "public_interest_articulation", "cofund") if p.mechanisms.public_cofunding else (0.0, 0.0)
    return record(
        Coefficients,
        calls=calls, pooled=pooled, direct=direct,
        noise=f.selection_noise,
        bias=f.visibility_bias * bias[1],
        cost=f.application_cost if p.mechanisms.application_burden else 0.0,
        themed=1.0 if f.themed_calls else 0.0,
        max_fail=f.max_failures, grant=p.time.grant_duration_months,
        call_period=f.call_period_months,
        local_tempo=p.time.local_tempo_months, staff_limit=p.mechanisms.small_staff_limit,
        direct_local_calls=1.0 if f.regime == "direct_link" else 0.0,
        project_cost=f.project_cost,
        quality=seen[1],
        bias0=f.visibility_bias * bias[0], quality0=seen[0],
        committee=1.0 if p.mechanisms.territorial_committee else 0.0,
        committee_time=p.constants.committee_time,
        evaluated=evaluated[1], evaluated0=evaluated[0],
        results=f.results_contracts, unpaid=1.0 if p.mechanisms.unpaid_path else 0.0,
        local_share=f.local_grant_share if p.mechanisms.local_grants else 0.0,
        cofund=cofund[1], cofund0=cofund[0],
        cofund_will=p.constants.will_full if p.mechanisms.practice_by_will else 0.0,
    )


@njit(cache=True)
def inflows(month, actors, acc):
    """January budgets for funders (the rest lapses); monthly means for the others. In the
    same pass over the actors, a month of each holder's stop after ``max_failures`` goes by."""
    january = month % MONTHS_PER_YEAR == 0
    for a in range(actors.shape[0]):
        if actors[a].cooldown > 0:
            actors[a].cooldown -= 1
        kind = actors[a].kind
        if kind == STATE or kind == FOUNDATION:
            if january:
                acc[A_SPENT] += actors[a].money
                actors[a].money = actors[a].income * MONTHS_PER_YEAR
                acc[A_INFLOW] += actors[a].income * MONTHS_PER_YEAR
        else:
            actors[a].money += actors[a].income
            acc[A_INFLOW] += actors[a].income
            if january:
                extra = actors[a].money - MONTHS_PER_YEAR * actors[a].income
                if extra > 0.0:
                    actors[a].money -= extra
                    acc[A_SPENT] += extra


@njit(cache=True)
def gap(c, ini, members, share, i):
    """Money the alliance lacks for its next grant period, after its partners' pledges."""
    left = min(c[C_GRANT], ini[i].duration - ini[i].acting)
    return max(0.0, ini[i].monthly_cost - pledged(members, share, i)) * left - ini[i].pot


@njit(cache=True)
def quality(ini, members, actors, i):
    """What a well-informed funder would rank on: partners' skill, the path's fit to the
    territory and the partners' alignment, in the units of effectiveness (action)."""
    s = 0.0
    n = 0
    for k in range(K):
        a = members[i, k]
        if a >= 0:
            s += actors[a].skill
            n += 1
    skill = s / n if n > 0 else 0.0
    return 2.0 * (0.5 + 0.5 * skill) * ini[i].fit * (1.0 - ini[i].misalign)


@njit(cache=True)
def allocate(c, mode, f, budget, theme, state, rng, pool):
    """One allocation round of funder ``f``: applications from the initiatives of ``pool``
    (those that may apply in its region, ascending; a committee's round: its territory's),
    ranking, grants. ``mode`` is a ``MODE_*``, plus ``RESULTS`` for a round of results
    contracts (mechanism ``unpaid_path``):
    the funder does not read the alliance's evaluation of its path, and its grants do not pay
    for the path (``initiatives.results_granted``)."""
    territories, needs, actors = state.territories, state.needs, state.actors
    ini, members, share, acc, nat = state.initiatives, state.members, state.share, state.acc, state.nat
    tmp_i, tmp_s = state.candidates, state.scores
    region = -1 if actors[f].national else actors[f].region
    results = mode >= RESULTS
    mode = mode % RESULTS
    committee = (mode == MODE_POOLED and c[C_COMMITTEE] > 0.0) or mode == MODE_LOCAL
    n = 0
    for i in pool:
        st = ini[i].status
        if not ((st == AGREED and ini[i].agreed) or st == ACTING):
            continue
        t = ini[i].territory
        if region >= 0 and territories[t].region != region:
            continue
        if mode == MODE_LOCAL and actors[ini[i].holder].kind != ASSOCIATION:
            continue  # a local authority's programme funds its territory's associations
        known = territories[t].social_capital if committee else 0.0
        cost = c[C_COST] * (1.0 - known)  # the dossier tells the deciders what they do not know
        g = gap(c, ini, members, share, i)
        if g <= 0.0:
            continue
        if mode == MODE_CALLS and c[C_THEMED] > 0.0 and ini[i].dim != theme:
            continue
        h = ini[i].holder
        noise = rng.normal()
        if actors[h].cooldown > 0 or actors[h].failures >= c[C_MAX_FAIL]:
            continue
        if c[C_STAFF_LIMIT] > 0.0 and staff_free(actors[h]) < cost:
            continue
        p_hat = (actors[h].wins + 1.0) / (actors[h].applications + 2.0)
        if p_hat * min(g, budget) <= c[C_STAFF_LIMIT] * cost * FTE_MONTH_KEUR:
            continue
        actors[h].time_used += cost
        actors[h].app_time += cost
        actors[h].applications += 1
        acc[A_APPLICATIONS] += 1
        if actors[h].kind == ASSOCIATION:
            acc[A_ASSOC_APP_TIME] += cost
        need = 0.0
        for d in range(NDIM):
            need += needs[t, d]
        need /= NDIM
        q = ini[i].practice  # data shared and the path evaluated by the alliance's partners
        evaluated = 1.0 if results else practised(c[C_EVALUATED0], c[C_EVALUATED], q)  # funders read the evaluation
        noise *= c[C_NOISE] * evaluated
        bias = practised(c[C_BIAS0], c[C_BIAS], q) * evaluated * np.log(actors[h].size)
        if committee:
            # local actors deciding together: they see the quality of what they know, fall
            # back on the holder's reputation for the rest, weigh their territory's need in
            # this dimension with the local executive's duty, and take the funder's risk
            o = territories[t].official
            duty = actors[o].duty if o >= 0 else actors[f].duty
            score = (known * quality(ini, members, actors, i)
                     + (1.0 - known) * (practised(c[C_QUALITY0], c[C_QUALITY], q) * quality(ini, members, actors, i)
                                        + bias
                                        + TRACK_RECORD * np.log1p(actors[h].wins) + noise)
                     + duty * needs[t, ini[i].dim]
                     - max(0.0, ini[i].risk - actors[f].risk_tolerance))
        else:
            score = (practised(c[C_QUALITY0], c[C_QUALITY], q) * quality(ini, members, actors, i)
                     + bias
                     + TRACK_RECORD * np.log1p(actors[h].wins) + actors[f].duty * need
                     - max(0.0, ini[i].risk - actors[f].risk_tolerance) + noise)
        nat[N_REQUESTED] += g
        tmp_i[n] = i
        tmp_s[n] = score
        n += 1
    if n == 0:
        return
    order = np.argsort(-tmp_s[:n], kind="mergesort")
    for r in range(n):
        i = tmp_i[order[r]]
        h = ini[i].holder
        g = min(gap(c, ini, members, share, i), budget, actors[f].money)
        if g >= MIN_AWARD * c[C_PROJECT_COST]:
            budget -= g
            actors[f].money -= g
            ini[i].pot += g
            nat[N_AWARDED] += g
            if actors[h].kind == ASSOCIATION:
                actors[f].to_associations += g  # money by source (funder shares)
            if actors[f].national:
                ini[i].macro_funded = True
            ini[i].granted += g
            if results:
                ini[i].results_granted += g  # money that pays deliverables, not the path
            actors[h].wins += 1
            actors[h].failures = 0
            actors[h].grants += g
            acc[A_GRANTS] += 1
        else:
            actors[h].failures += 1
            if actors[h].failures >= c[C_MAX_FAIL]:
                actors[h].cooldown = COOLDOWN
                actors[h].failures = 0
    return


@njit(cache=True)
def committees(c, state, rng):
    """One session of every territory's pooled-fund committee (mechanism
    ``territorial_committee``). Each funder puts its pooled share of the session's budget
    into envelopes, one per territory it serves, in proportion to the territory's mean need;
    the territory's local actors decide together how its envelope is spent (``allocate`` on
    its territory's initiatives) and the local executive spends ``constants.committee_time``
    of staff on the session."""
    territories, needs, actors = state.territories, state.needs, state.actors
    funders = state.funders
    nt = territories.shape[0]
    need = np.zeros(nt)
    for t in range(nt):
        for d in range(NDIM):
            need[t] += needs[t, d] / NDIM
    period = int(c[C_LOCAL_TEMPO])
    budgets = np.zeros(funders.shape[0])
    scope = np.zeros(funders.shape[0])
    for j in range(funders.shape[0]):
        f = funders[j]
        budgets[j] = min(actors[f].money, actors[f].income * c[C_POOLED] * period)
        for t in range(nt):
            if actors[f].national or territories[t].region == actors[f].region:
                scope[j] += need[t]
    start, order = by_territory(state, AGREED)  # status does not change in this submodel
    for t in range(nt):
        held = False
        pool = order[start[t]:start[t + 1]]
        for j in range(funders.shape[0]):
            f = funders[j]
            if budgets[j] <= 0.0 or scope[j] <= 0.0:
                continue
            if not actors[f].national and territories[t].region != actors[f].region:
                continue
            allocate(c, MODE_POOLED, f, budgets[j] * need[t] / scope[j], -1, state, rng, pool)
            held = True
        o = territories[t].official
        if held and o >= 0:
            actors[o].time_used += c[C_COMMITTEE_TIME]


@njit(cache=True)
def local_programmes(c, state, rng):
    """Each local executive's own grant programme (mechanism ``local_grants``), once a year
    after its budget vote: ``funding.local_grant_share`` of its year of means, for the
    initiatives its territory's associations hold; the executive decides as a territorial
    committee does (it knows its initiatives as far as the territory's social capital goes,
    weighs the territory's need with its own duty, takes its own risk tolerance) and spends
    ``constants.committee_time`` of staff on the session."""
    territories, actors = state.territories, state.actors
    start, order = by_territory(state, AGREED)  # status does not change in this submodel
    for t in range(territories.shape[0]):
        o = territories[t].official
        if o < 0:
            continue
        budget = min(actors[o].money, actors[o].income * MONTHS_PER_YEAR * c[C_LOCAL_SHARE])
        if budget <= 0.0:
            continue
        allocate(c, MODE_LOCAL, o, budget, -1, state, rng, order[start[t]:start[t + 1]])
        actors[o].time_used += c[C_COMMITTEE_TIME]


@njit(cache=True)
def public_cofunding(c, state):
    """Public co-funding of the initiatives a local executive supports (lever
    public_interest_articulation, mechanism ``public_cofunding``): once a year, after its
    budget vote (``LOCAL_GRANT_MONTH``), each territory's local executive sets aside the share
    ``cofund`` of a year of its means (placed by its own practice of the lever, its will) for
    the agreed or acting initiatives of its territory it is a partner of, and shares it among
    them in proportion to the money each lacks for its next grant period (none gets more than
    it lacks), from its own money while it lasts."""
    territories, actors, ini = state.territories, state.actors, state.initiatives
    members, share = state.members, state.share
    start, order = by_territory(state, AGREED)  # status does not change in this submodel
    for t in range(territories.shape[0]):
        o = territories[t].official
        if o < 0:
            continue
        pool = order[start[t]:start[t + 1]]
        lacking = 0.0
        for i in pool:
            if supported(ini, members, i, o):
                lacking += max(0.0, gap(c, ini, members, share, i))
        budget = min(actors[o].money, practised(c[C_COFUND0], c[C_COFUND], practice(actors[o].will, c[C_COFUND_WILL]))
                     * MONTHS_PER_YEAR * actors[o].income)
        if lacking <= 0.0 or budget <= 0.0:
            continue
        for i in pool:
            if not supported(ini, members, i, o):
                continue
            g = max(0.0, gap(c, ini, members, share, i)) * min(1.0, budget / lacking)
            if g <= 0.0:
                continue
            actors[o].money -= g
            ini[i].pot += g
            if actors[ini[i].holder].kind == ASSOCIATION:
                actors[o].to_associations += g  # money by source (local authorities' share)


@njit(cache=True)
def supported(ini, members, i, o):
    """Whether initiative ``i`` is agreed or acting with the local executive ``o`` a partner."""
    st = ini[i].status
    return ((st == AGREED and ini[i].agreed) or st == ACTING) and seat_of(members, i, o) >= 0


@njit(cache=True)
def step(c, month, state, rng):
    territories, ini = state.territories, state.initiatives
    actors, funders, acc, nat = state.actors, state.funders, state.acc, state.nat
    inflows(month, actors, acc)
    # Index lists: the initiatives that may apply (agreed or acting; no status changes in
    # this submodel), all of them for national funders and by region for the others; for a
    # themed call, only those of its theme (the others never apply to it), by need dimension
    # and by region and dimension. Ascending within each list: the order of a scan of all.
    region_of = np.full(ini.shape[0], -1, np.int64)
    dim_of = np.full(ini.shape[0], -1, np.int64)
    n_regions = 0
    for i in range(state.live[0]):  # the slots beyond were never opened (State.live)
        st = ini[i].status
        if (st == AGREED and ini[i].agreed) or st == ACTING:
            region_of[i] = territories[ini[i].territory].region
            dim_of[i] = ini[i].dim
    for t in range(territories.shape[0]):
        n_regions = max(n_regions, territories[t].region + 1)
    start, order = group(region_of, n_regions)
    everyone = np.flatnonzero(region_of >= 0)
    d_start, d_order = group(dim_of, NDIM)
    rd_start, rd_order = group(np.where(region_of >= 0, region_of * NDIM + dim_of, -1), n_regions * NDIM)
    nat[N_REQUESTED] = 0.0
    nat[N_AWARDED] = 0.0
    for j in range(funders.shape[0]):
        f = funders[j]
        national = actors[f].national
        tempo = int(c[C_CALL_PERIOD])
        calls = c[C_CALLS]
        direct = c[C_DIRECT] if national else 0.0
        if c[C_DIRECT_LOCAL_CALLS] > 0.0 and not national:
            calls = 1.0
        modes = ((MODE_CALLS, calls, tempo), (MODE_POOLED, c[C_POOLED], int(c[C_LOCAL_TEMPO])),
                 (MODE_DIRECT, direct, 1))
        for mode, part, period in modes:
            theme = rng.integers(0, NDIM)
            if part <= 0.0 or (month + j) % period != 0:
                continue
            if mode == MODE_POOLED and c[C_COMMITTEE] > 0.0:
                continue  # the territorial committees below
            budget = min(actors[f].money, actors[f].income * part * period)
            if budget > 0.0:
                region = -1 if national else actors[f].region
                themed = mode == MODE_CALLS and c[C_THEMED] > 0.0
                if region < 0:
                    pool = d_order[d_start[theme]:d_start[theme + 1]] if themed else everyone
                elif region >= n_regions:
                    pool = order[:0]
                elif themed:
                    g = region * NDIM + theme
                    pool = rd_order[rd_start[g]:rd_start[g + 1]]
                else:
                    pool = order[start[region]:start[region + 1]]
                results = False  # a round of the State's results contracts (unpaid_path)
                if actors[f].kind == STATE and mode != MODE_POOLED and c[C_RESULTS] > 0.0:
                    results = c[C_RESULTS] >= 1.0 or rng.random() < c[C_RESULTS]
                kind = mode + RESULTS if results and c[C_UNPAID] > 0.0 else mode
                allocate(c, kind, f, budget, theme, state, rng, pool)
    if c[C_POOLED] > 0.0 and c[C_COMMITTEE] > 0.0 and month % int(c[C_LOCAL_TEMPO]) == 0:
        committees(c, state, rng)
    if c[C_LOCAL_SHARE] > 0.0 and month % MONTHS_PER_YEAR == LOCAL_GRANT_MONTH:
        local_programmes(c, state, rng)
    if max(c[C_COFUND], c[C_COFUND0]) > 0.0 and month % MONTHS_PER_YEAR == LOCAL_GRANT_MONTH:
        public_cofunding(c, state)
    if nat[N_REQUESTED] > 0.0:
        nat[N_PRESSURE] = ((1.0 - PRESSURE_MEMORY) * nat[N_PRESSURE]
                          + PRESSURE_MEMORY * (1.0 - nat[N_AWARDED] / nat[N_REQUESTED]))
