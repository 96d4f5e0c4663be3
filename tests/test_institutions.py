"""Issue 9, item 6: power-sharing rules and funding regimes as institutions. A rule decides
who has a say on the path and the objective, who can veto, and when the decision falls; a
regime decides who ranks the applications, when, and what a dossier must tell them. Each
test measures, over 40 paired seeds, a difference between two rules or two regimes, and
that removing the mechanism that makes it (a ``mechanisms`` code switch) removes it, in the
sense of an equivalence test: the 90% interval of the remaining difference lies within
``MARGIN`` of the original one.
"""

import pytest
from helpers import MARGIN, effect, vanishes

pytestmark = pytest.mark.slow



OFF = {"mechanisms.deliberation": False}


# --- who decides, and when -------------------------------------------------------------------

def test_macro_led_alliances_wait_for_the_national_review():
    """« Le temps des évolutions à une échelle nationale n'est pas le même qu'en local »:
    under macro_led the national level settles an alliance at its next review (every
    national_tempo_months on average), so more initiatives run out of patience before
    agreement than under the payers' rule (measured +29.4 [+27.2, +31.6] of ~12); with the
    deliberation switched off the difference vanishes (measured +0.3 [-0.9, +1.5])."""
    rule = {"governance.rule": "macro_led"}
    lost = effect({}, rule, "initiatives_unpartnered")
    assert lost[1] > 15.0, lost
    knocked = effect(OFF, rule, "initiatives_unpartnered", level=0.90)
    assert vanishes(knocked, lost), (knocked, lost)


def test_macro_led_forms_fewer_alliances_because_it_decides_late():
    """The same waiting, read on alliances formed and impact: switching the deliberation on
    under macro_led loses about 53 of ~180 alliances and 1.4 of ~5 impact (measured -53.1
    [-58.6, -47.7], -1.38 [-1.68, -1.08])."""
    base = {"governance.rule": "macro_led", **OFF}
    formed = effect(base, {"mechanisms.deliberation": True}, "alliances_formed")
    assert formed[2] < -30.0, formed
    impact = effect(base, {"mechanisms.deliberation": True}, "impact")
    assert impact[2] < 0.0, impact


def test_partners_deliberation_costs_little_at_the_model_heterogeneity():
    """A finding, not a wish: among partners (proportional, equal, subsidiarity, arranger)
    vetoes are rare at the default spread of preferred paths (0.1), so deliberation changes
    alliances formed by less than 10 of ~180 (95% interval; measured under equal +1.0 [-4.1,
    +6.1])."""
    base = {"governance.rule": "equal", **OFF}
    formed = effect(base, {"mechanisms.deliberation": True}, "alliances_formed")
    assert -10.0 < formed[1] and formed[2] < 10.0, formed


def test_an_objective_set_from_above_costs_impact():
    """« Il y a un risque à ce que le macro fixe des objectifs pour atteindre les résultats »:
    under macro_led the national priority replaces the territory's own need as the
    alliance's objective; impact falls (measured -1.20 [-1.54, -0.86])."""
    base = {"governance.rule": "macro_led", "mechanisms.objective_from_above": False}
    impact = effect(base, {"mechanisms.objective_from_above": True}, "impact")
    assert impact[2] < 0.0, impact


# --- who ranks the applications ---------------------------------------------------------------

def test_a_territorial_committee_spreads_grants_to_small_associations():
    """« Le manque de connaissance des acteurs est à l'origine de nombreux blocages »: local
    actors deciding together know their initiatives (as far as the territory's social capital
    goes), so they rely less on holders' size and past wins: the top 2% of associations hold
    a smaller share of grants and more small associations are funded than when the funders
    run the pooled rounds themselves (measured -0.499 [-0.534, -0.464] and +5.8 [+4.4,
    +7.2])."""
    base = {"funding.regime": "pooled_fund", "mechanisms.territorial_committee": False}
    on = {"mechanisms.territorial_committee": True}
    top = effect(base, on, "grant_concentration_top2")
    assert top[2] < -0.2, top
    small = effect(base, on, "small_associations_funded")
    assert small[1] > 2.0, small


def test_the_pooled_funds_spreading_comes_from_who_decides():
    """Against competitive calls, the pooled fund lowers grant concentration (measured -0.443
    [-0.475, -0.412]); without the committee (the funders' own untheamed rounds at the local
    tempo: only when it decides differs) no reduction is left beyond 25% of it: what remains
    goes the other way (measured +0.082 [+0.050, +0.113])."""
    regime = {"funding.regime": "pooled_fund"}
    top = effect({}, regime, "grant_concentration_top2")
    assert top[2] < -0.2, top
    knocked = effect({"mechanisms.territorial_committee": False}, regime, "grant_concentration_top2",
                     level=0.90)
    assert knocked[1] > -MARGIN * abs(top[0]), (knocked, top)


# --- who holds the purse and who may stop ----------------------------------------------------

#: An equivalence needs power: 40 seeds give a knockout interval nearly as wide as the margin.
CONSENT_SEEDS = range(100)


def test_consent_holds_the_budget_where_the_payers_decide_at_once():
    """« Vouloir tout contrôler est contre-productif »; « le faire alliance, comment on en
    sort ? »: every budget_period months of action the rule decides how the pot is spent and
    whether to go on. The payers (proportional) decide at once, stopping a failing alliance
    by majority and overruling the others; under equal everyone must agree, so one partner
    who wants to stop or objects holds the budget (months without spending) and the alliance
    ends by abandonment or improvised exits rather than orderly ones: orderly exits equal
    minus proportional measured -11.7 [-13.1, -10.2] (40 paired seeds, session 19, a stop
    needing failing work); with the budget vote switched off the difference vanishes
    (measured 0.0 [-2.1, +2.1], 90%). The switch is on by default since session 19.
    100 paired seeds since the merge of session 19 (s19-fixB): on 40 seeds the knockout's
    90% interval is about +-2.0 wide against a margin of +-2.8, so equivalence failed by
    chance (merged model, seeds 0-39: +1.23 [-0.77, +3.22] against +-2.84); on seeds 0-99:
    original -11.11 [-12.33, -9.89], knockout +0.67 [-0.60, +1.94] (90%) against +-2.78."""
    base = {"governance.rule": "proportional", "mechanisms.budget_vote": True}
    rule = {"governance.rule": "equal"}
    orderly = effect(base, rule, "exits_orderly", CONSENT_SEEDS)
    assert orderly[2] < -6.0, orderly
    knocked = effect({**base, "mechanisms.budget_vote": False}, rule, "exits_orderly", CONSENT_SEEDS,
                     level=0.90)
    assert vanishes(knocked, orderly), (knocked, orderly)


#: The stop's effect on survival (+0.013) is smaller than 40 seeds' half-interval (about +-0.019).
STOP_SEEDS = range(600)  # 200 do not show it on the merged model of session 20 (+0.0031 [-0.0056, ...])


def test_a_stop_answers_failing_work_not_a_partners_mood():
    """« des éléments d'évaluation. Cela est indispensable pour répondre, par exemple, au
    problème d'un partenariat qui ne va pas bien ou qui échoue »: at a budget session a
    disengaged decider votes to stop only an alliance failing on its work (at its pace, a
    success chance below constants.stop_odds; mechanism stop_on_evaluation). Switched off,
    low engagement alone stops alliances on track whose deciders were worn down by months
    without money, so fewer of the alliances that started acting reach the end of their
    project: survival on minus off, the test (600 paired seeds, 95%; measured +0.0129 [+0.0043,
    +0.0215] on 200 at cd6b1c9; on the merged model of session 20, with work_cement and public
    co-funding, the effect is smaller: +0.0077 [+0.0028, +0.0126] on 600, local successes +0.09
    [-0.23, +0.41], so only survival shows it). The spared alliances were on track: on 1,000 paired seeds local successes
    +0.62 [+0.40, +0.84] of about 10 a run, impact +0.19 [+0.11, +0.26], survival +0.0133
    [+0.0096, +0.0170], abandonment rate -0.0050 [-0.0076, -0.0023] (session 20, main cd6b1c9).
    The seed gives a direction, not a size. Until session 19 the test asked for an abandonment
    effect of at least -0.008, the size s19-9a's first 40 seeds had shown (-0.018 [-0.030,
    -0.006]): nothing else stood behind it, and the merged model gave -0.0049 [-0.0090,
    -0.0007] on 400 seeds (a strict xfail). Abandonments count every end before the project's
    term (patience, elections, setbacks, stops), so a spared alliance that later runs out of
    patience still counts: the rate falls by less than half of what survival gains, and 200
    seeds would show its sign about 40% of the time; survival is where the stop shows."""
    off = {"mechanisms.stop_on_evaluation": False}
    on = {"mechanisms.stop_on_evaluation": True}
    mean, lo, _ = effect(off, on, "alliance_survival", STOP_SEEDS)
    assert lo > 0, (mean, lo)


def test_without_the_budget_vote_the_stop_rule_changes_nothing():
    """Without the budget vote there is no session at which to stop: the switch
    stop_on_evaluation changes no outcome at all (exact, 3 seeds)."""
    from helpers import outcomes
    off = {"mechanisms.stop_on_evaluation": False}
    on = {"mechanisms.stop_on_evaluation": True}
    no_vote = {"mechanisms.budget_vote": False}
    a, b = outcomes({**no_vote, **off}, range(3)), outcomes({**no_vote, **on}, range(3))
    assert all(x == y or (x != x and y != y) for ra, rb in zip(a, b, strict=True)
               for x, y in zip(ra.values(), rb.values(), strict=True))
