"""The nine observations of DOMAIN.md, each as a paired-seed test with a minimum effect and
a knockout: with its documented channel switched off, the effect's interval includes 0."""

import pytest
from helpers import effect

pytestmark = pytest.mark.slow


def rises(e, at_least):
    mean, lo, _ = e
    return lo > 0 and mean >= at_least


def falls(e, at_least):
    mean, _, hi = e
    return hi < 0 and -mean >= at_least


def vanishes(e):
    _, lo, hi = e
    return lo <= 0 <= hi


COSTLY = {"funding.application_cost": 1.5}
CHEAP = {"funding.application_cost": 0.1}


def test_1_application_cost_burdens_and_excludes_small_associations():
    """Channel: applying costs the holder staff time, which caps applications and weighs in
    the decision to apply (mechanisms.small_staff_limit)."""
    assert rises(effect(CHEAP, COSTLY, "admin_burden"), 0.005)
    assert falls(effect(CHEAP, COSTLY, "small_associations_funded"), 0.5)
    off = {**CHEAP, "mechanisms.small_staff_limit": 0.0}
    assert vanishes(effect(off, COSTLY, "small_associations_funded"))


def test_2_glass_ceiling():
    """Scaling is rare; more money raises local successes more than scalings; visibility,
    capitalisation and innovation raise scaling. Channel: visibility (mechanisms.visibility)."""
    from helpers import outcomes
    base = outcomes({})
    rich = outcomes({"funding.budget_scale": 2.0})
    successes = sum(r["local_successes"] for r in base)
    scalings = sum(r["scaling_rate"] * r["local_successes"] for r in base)
    assert scalings < 0.3 * successes  # rare: fewer than one scaling per three successes
    rich_successes = sum(r["local_successes"] for r in rich)
    rich_scalings = sum(r["scaling_rate"] * r["local_successes"] for r in rich)
    assert rich_successes / successes > 1.1
    assert rich_successes / successes > rich_scalings / max(scalings, 1e-9)
    opened = {"levers.hub_platform": 1.0, "levers.capitalisation": 1.0, "levers.innovation": 1.0}
    assert rises(effect({}, opened, "scaling_rate"), 0.05)
    assert vanishes(effect({"mechanisms.visibility": 0.0}, {"levers.hub_platform": 1.0}, "scaling_rate"))


def test_3_short_electoral_cycles_raise_abandonment():
    """Channel: elections: a new executive withdraws from its predecessor's alliances, and an
    official's horizon ends with its term."""
    base = {"time.project_duration_months": 48}
    short = {"time.electoral_cycle_months": 24}
    assert rises(effect(base, short, "election_abandonments"), 3.0)
    assert rises(effect(base, short, "abandonment_rate"), 0.01)
    off = {**base, "mechanisms.election_withdrawal": 0.0, "mechanisms.electoral_horizon": 0.0}
    assert vanishes(effect(off, short, "election_abandonments"))
    assert vanishes(effect(off, short, "abandonment_rate"))


def test_4_macro_led_governance_loses_alliances_and_engagement():
    """Channel: distance between preferred and chosen paths (heterogeneous preferences)."""
    sub = {"governance.rule": "subsidiarity"}
    led = {"governance.rule": "macro_led"}
    assert falls(effect(sub, led, "engagement"), 0.01)
    assert falls(effect(sub, led, "alliance_survival"), 0.02)
    same = {"actors.path_heterogeneity": 0.0, "territories.path_diversity": 0.0}
    assert vanishes(effect({**sub, **same}, led, "engagement"))
    assert vanishes(effect({**sub, **same}, led, "alliance_survival"))


def test_5_fiercer_competition_lowers_cooperation_among_associations():
    """Channel: funding pressure deters associations from allying (mechanisms.competition),
    and the staff time spent competing (applications) is not there to cooperate."""
    scarce = {"funding.budget_scale": 0.3}
    assert falls(effect({}, scarce, "association_cooperation"), 0.01)
    off = {"mechanisms.competition": 0.0, "funding.application_cost": 0.0}
    assert vanishes(effect(off, scarce, "association_cooperation"))


def test_6_valuing_contributions_keeps_engagement_and_survival():
    """Channel: unrecognised contributions cost engagement (mechanisms.unfairness)."""
    valued = {"levers.contribution_valuation": 1.0}
    base = {"levers.contribution_valuation": 0.0}
    assert rises(effect(base, valued, "engagement"), 0.02)
    assert rises(effect(base, valued, "alliance_survival"), 0.01)
    off = {**base, "mechanisms.unfairness": 0.0}
    assert vanishes(effect(off, valued, "engagement"))
    assert vanishes(effect(off, valued, "alliance_survival"))


def test_7_unfunded_coconstruction_costs_exclude_small_associations():
    """Channel: staff time caps participation (mechanisms.small_staff_limit)."""
    costly = {"funding.participation_cost": 1.0}
    base = {"funding.participation_cost": 0.0}
    assert falls(effect(base, costly, "small_associations_participation"), 0.03)
    off = {**base, "mechanisms.small_staff_limit": 0.0}
    assert vanishes(effect(off, costly, "small_associations_participation"))


def test_8_local_costs_are_blocked_without_dialogue_and_articulation():
    """Channel: opposition raised by local costs (mechanisms.nimby)."""
    contested = {"territories.nimby_share": 0.5}
    low = {**contested, "levers.dialogue": 0.0, "levers.public_interest_articulation": 0.0}
    high = {"levers.dialogue": 1.0, "levers.public_interest_articulation": 1.0}
    assert falls(effect(low, high, "blocked_share"), 0.05)
    assert vanishes(effect({**low, "mechanisms.nimby": 0.0}, high, "blocked_share"))


def test_9_impact_peaks_at_an_intermediate_macro_presence():
    """Channel: the costs of steering (path fit and frustration)."""
    mid = {"governance.macro_presence": 0.5}
    assert falls(effect(mid, {"governance.macro_presence": 0.0}, "impact"), 0.5)
    assert falls(effect(mid, {"governance.macro_presence": 1.0}, "impact"), 0.5)
    off = {**mid, "mechanisms.path_fit": 0.0, "mechanisms.frustration": 0.0}
    mean, lo, hi = effect(off, {"governance.macro_presence": 1.0}, "impact")
    assert hi > 0  # without steering costs, full presence no longer does worse
