"""The nine observations of DOMAIN.md, each as a paired-seed test with a minimum effect and
a knockout: with its documented channel switched off, the effect vanishes in the sense of an
equivalence test: its whole 90% interval (two one-sided tests at 5%, issue 9 item 9) lies
within ``MARGIN`` of the original effect (a noisier estimate makes this harder to pass, not
easier). Effects themselves are shown with 95% intervals."""

import pytest
from helpers import MARGIN, effect, outcomes, vanishes

pytestmark = pytest.mark.slow


def rises(e, at_least):
    mean, lo, _ = e
    return lo > 0 and mean >= at_least


def falls(e, at_least):
    mean, _, hi = e
    return hi < 0 and -mean >= at_least


COSTLY = {"funding.application_cost": 1.5}
CHEAP = {"funding.application_cost": 0.1}


def test_1_application_cost_burdens_and_excludes_small_associations():
    """Channel: staff time. Applying costs the holder staff time, which caps applications and
    weighs in the decision to apply (mechanisms.small_staff_limit), and the time spent on
    applications is not spent making a success known, so fewer neighbours replicate it
    (mechanisms.admin_burden_visibility): replicas are opened by local associations, many of
    them small, that then apply. With only the first switch off, -0.50 [-0.99, -0.01] of
    -3.43 remained (40 seeds): the second channel; with both off, exactly 0."""
    assert rises(effect(CHEAP, COSTLY, "admin_burden"), 0.005)
    original = effect(CHEAP, COSTLY, "small_associations_funded")
    assert falls(original, 0.5)
    off = {**CHEAP, "mechanisms.small_staff_limit": 0.0, "mechanisms.admin_burden_visibility": False}
    assert vanishes(effect(off, COSTLY, "small_associations_funded", level=0.90), original)


#: Scalings are about two a run: the lag of two pooled ratios needs many seeds. On 200 seeds
#: the bootstrap's standard error is about 0.063 against a lag of about 0.12 (power about one
#: half); on 400 seeds it is about 0.045 (power about 0.8).
CEILING_SEEDS = range(400)


def test_2_glass_ceiling():
    """Scaling is rare; more money raises local successes more than scalings; visibility,
    capitalisation and innovation raise scaling. Channel: recognition and adoption are a
    selection under limited attention; with no competing signals (the
    ``information_overload`` switch off) money no longer leaves scalings behind successes.
    Each cause's own knockout is in tests/test_mechanisms.py. The lag is a paired comparison
    of pooled ratios with a bootstrap interval over 200 seeds (review 9b: two pooled ratios
    on 40 seeds without an interval decided whether the budget vote could be on): measured
    log(success ratio) - log(scaling ratio) +0.200 [+0.082, +0.319] (successes x1.70,
    scalings x1.39; session 19, budget vote on, before the merge of s19-9b and s19-9c).
    On the merged model (fea5875) 200 seeds were underpowered: +0.111 [-0.015, +0.234]
    (x1.709, x1.529); 400 seeds: +0.126 [+0.038, +0.217] (x1.669, x1.472); 600 seeds:
    +0.116 [+0.042, +0.188]. No merged mechanism alone narrows it (200 seeds, each switched
    off: budget_vote +0.048, stop_on_evaluation +0.070, opposition_coalition +0.129,
    pooled_means +0.096, sdg_common_frame +0.126, hub_partner_search identical: no draw at
    hub 0): the drop from +0.200 is within the noise of the changed random stream."""
    import numpy as np
    from helpers import outcomes
    base = outcomes({}, CEILING_SEEDS)
    rich = outcomes({"funding.budget_scale": 2.0}, CEILING_SEEDS)
    successes = np.array([r["local_successes"] for r in base])
    scalings = np.array([r["scaling_rate"] * r["local_successes"] if r["local_successes"] else 0.0 for r in base])
    assert scalings.sum() < 0.3 * successes.sum()  # rare: fewer than one scaling per three successes
    rich_successes = np.array([r["local_successes"] for r in rich])
    rich_scalings = np.array([r["scaling_rate"] * r["local_successes"] if r["local_successes"] else 0.0 for r in rich])
    assert rich_successes.sum() / successes.sum() > 1.1

    def gap(j):  # log(success ratio) - log(scaling ratio), pooled over the seeds j
        return (np.log(rich_successes[j].sum() / successes[j].sum())
                - np.log(rich_scalings[j].sum() / scalings[j].sum()))
    rng = np.random.default_rng(0)  # bootstrap over seeds (the arms are paired by seed)
    boot = [gap(rng.integers(0, len(base), len(base))) for _ in range(2000)]
    assert np.percentile(boot, 2.5) > 0, (gap(slice(None)), np.percentile(boot, [2.5, 97.5]))
    opened = {"levers.hub_platform": 1.0, "levers.capitalisation": 1.0, "levers.innovation": 1.0}
    assert rises(effect({}, opened, "scaling_rate"), 0.05)
    assert rises(effect({}, {"mechanisms.information_overload": False}, "scaling_rate"), 0.1)


KNOCKOUT_SEEDS = range(200)  # an equivalence needs power: abandonment has many other causes


def test_3_short_electoral_cycles_raise_abandonment():
    """Channel: elections: a new executive withdraws from its predecessor's alliances, and an
    official's horizon ends with its term, and the new executive brings its own will, skill
    and path (mechanisms.executive_change). The knockout runs on 200 seeds: without
    executive_change in the knockout, +0.008 [+0.003, +0.014] remained (90%): the new
    executive's will and path, a channel of elections too. With all three off, what
    remained in session 17 (+0.0042 [-0.0014, +0.0099] of +0.030) was the random stream
    shifted by the draws of four elections instead of one: an election with no consequence
    now draws nothing (elections.py), and the knockout's effect is exactly 0."""
    base = {"time.project_duration_months": 48}
    short = {"time.electoral_cycle_months": 24}
    count = effect(base, short, "election_abandonments")
    rate = effect(base, short, "abandonment_rate")
    assert rises(count, 3.0)
    assert rises(rate, 0.01)
    off = {**base, "mechanisms.election_withdrawal": 0.0, "mechanisms.electoral_horizon": 0.0,
           "mechanisms.executive_change": False}
    assert vanishes(effect(off, short, "election_abandonments", level=0.90), count)
    assert vanishes(effect(off, short, "abandonment_rate", KNOCKOUT_SEEDS, level=0.90), rate)


def test_4_macro_led_governance_loses_alliances_and_engagement():
    """Channels: distance between preferred and chosen paths (heterogeneous preferences),
    and what else the national level decides under macro_led (issue 9 item 6: it settles
    alliances at its own review, ``deliberation``, and sets their objective,
    ``objective_from_above``, and decides its budget and stop alone, ``budget_vote``); the
    knockout removes all four."""
    sub = {"governance.rule": "subsidiarity"}
    led = {"governance.rule": "macro_led"}
    eng = effect(sub, led, "engagement")
    survival = effect(sub, led, "alliance_survival")
    assert falls(eng, 0.01)
    assert falls(survival, 0.02)
    same = {"actors.path_heterogeneity": 0.0, "territories.path_diversity": 0.0,
            "mechanisms.deliberation": False, "mechanisms.objective_from_above": False,
            "mechanisms.budget_vote": False}
    assert vanishes(effect({**sub, **same}, led, "engagement", level=0.90), eng)
    assert vanishes(effect({**sub, **same}, led, "alliance_survival", level=0.90), survival)


#: Observation 5's knockout: the per-seed sd of the knocked-out fall is 0.042 and the margin
#: 0.0070 (25% of the fall); to show equivalence with ~90% power for a residual up to 40% of
#: the margin (0.0028, the size measured in session 21), n >= ((1.645 + 1.28) x 0.042 /
#: (0.0070 - 0.0028))^2 = 855 seeds: 1,000 (exhaustive tier, tests/conftest.py).
OBS5_KNOCKOUT_SEEDS = range(1000)


def test_5_fiercer_competition_lowers_cooperation_among_associations():
    """Claim (DOMAIN.md observation 5; seed: « forte compétition / concurrence entre les
    associations du point de vue financier [...] à la fois besoin de coopérer et d'entrer en
    concurrence pour les subventions »; « Ils consacrent beaucoup de temps à y répondre »): a
    smaller budget for the same demand lowers cooperation among associations, because funding
    pressure deters associations from allying (mechanisms.competition; the cooperative trust
    that joint work builds, mechanism joint_work_trust, acts only by lowering that deterrent)
    and the staff time spent competing (applications, mechanisms.application_burden) is not
    there to cooperate. Knockout: both removed by their code switches; the fall vanishes
    (equivalence on 1,000 seeds, 90%, within 25% of the fall; the seed count from the power
    calculation above OBS5_KNOCKOUT_SEEDS, run in the exhaustive tier).

    Session 21 (main 848cdbb; paired seeds, 90%): the fall is -0.0281 [-0.0348, -0.0215] (40
    seeds). The knockout leaves -0.0028 [-0.0050, -0.0006] on 1,000 seeds, 10% of the fall:
    the claim's two channels carry about nine tenths of it, within the margin (+-0.0070). The
    per-seed sd of the knocked-out fall is 0.042, so 200 seeds give a half-width of 0.0049 and
    pass only if their mean lies within +-0.0021: about 50% power even with no residual at all,
    36% with the measured one (s20-9a's +0.0015 on 600 seeds passed with room). On seeds 0-199 the knockout reads -0.0035
    [-0.0085, +0.0015], a strict xfail in session 21's branch: 200 seeds had too little power.
    The test now uses 1,000 seeds (~90% power, the calculation above OBS5_KNOCKOUT_SEEDS) in the
    exhaustive tier, where its ~2,000 runs fit.

    The residual appeared with the merge of session 20. With each candidate also switched off,
    the knocked-out fall moves by (1,000 seeds): work_cement +0.0023 [-0.0005, +0.0052],
    public_cofunding +0.0027 [-0.0002, +0.0056], both +0.0034 [+0.0005, +0.0064] (knockout then
    +0.0006 [-0.0015, +0.0027]), level_tensions +0.0003 [-0.0004, +0.0009]; crowding_out and
    national_conditions change nothing at the defaults (no imposed Charter, not subsidiarity).
    Neither is a channel of the claim and neither is included in the knockout: no association
    decides differently. Both change which alliances form when money is scarce: with the
    claim's channels off, scarce money forms more alliances (+5.7 of 200, alliances giving up
    waiting free seats: the « seat channel », docs/ODD.md 1.2), but two-association ones rise
    only +1.0 of 54, less than in proportion; with both mechanisms off, +5.3 and +2.1 (400
    seeds). work_cement (« le ciment de tout cela est la confiance ») makes funded work keep
    alliances together, and it is money, not competition, that is short; public co-funding
    (« le micro [...] apporte le financement manquant ») is local executives' money, which
    funding.budget_scale does not scale, so scarce national and foundation money makes it count
    more for alliances with an executive partner. Switching them off would make the test pass by
    removing mechanisms the claim does not name.

    Earlier sessions: until session 19 the test also switched the staff-time gate off
    (mechanisms.small_staff_limit), which is what lets the seat channel show; session 20
    dropped it (the gate is not a channel of the claim: it makes staff time finite everywhere)."""
    scarce = {"funding.budget_scale": 0.3}
    original = effect({}, scarce, "association_cooperation")
    assert falls(original, 0.01)
    off = {"mechanisms.competition": 0.0, "mechanisms.application_burden": False}
    knocked = effect(off, scarce, "association_cooperation", OBS5_KNOCKOUT_SEEDS, level=0.90)
    assert vanishes(knocked, original), (knocked, original)


def test_5_application_burden_off_removes_the_staff_time_of_applications():
    """The knockout's second switch removes a mechanism: with it off, applying costs no staff
    time (the administrative burden is 0) while the applications go on."""
    on, off = (outcomes({"mechanisms.application_burden": flag}, range(3)) for flag in (True, False))
    assert all(o["admin_burden"] > 0 for o in on) and all(o["admin_burden"] == 0 for o in off)
    assert all(o["application_success_rate"] > 0 for o in off)


def test_6_valuing_contributions_keeps_engagement_and_survival():
    """Channel: unrecorded contributions invite free-riding on pledges, and unrecognised
    contributions cost engagement (mechanisms.free_riding and mechanisms.unfairness)."""
    valued = {"levers.contribution_valuation": 1.0}
    base = {"levers.contribution_valuation": 0.0}
    eng = effect(base, valued, "engagement")
    survival = effect(base, valued, "alliance_survival")
    assert rises(eng, 0.02)
    assert rises(survival, 0.01)
    off = {**base, "mechanisms.unfairness": 0.0, "mechanisms.free_riding": False}
    assert vanishes(effect(off, valued, "engagement", level=0.90), eng)
    assert vanishes(effect(off, valued, "alliance_survival", level=0.90), survival)


def test_7_unfunded_coconstruction_costs_exclude_small_associations():
    """Channel: staff time caps participation (mechanisms.small_staff_limit)."""
    costly = {"funding.participation_cost": 1.0}
    base = {"funding.participation_cost": 0.0}
    original = effect(base, costly, "small_associations_participation")
    assert falls(original, 0.03)
    off = {**base, "mechanisms.small_staff_limit": 0.0}
    assert vanishes(effect(off, costly, "small_associations_participation", level=0.90), original)


def test_8_local_costs_are_blocked_without_dialogue_and_articulation():
    """Channels: dialogue's compromise at arbitration (mechanisms.dialogue_compromise) and
    articulation through a partner official, who talks the opposition down and defends the
    initiative at arbitration (mechanisms.officials_support). The knockout removes these two
    channels and keeps the opposition (review 9c, finding 11: the former knockout,
    ``mechanisms.nimby = 0``, removed the opposition itself, so the effect was 0 by
    construction). Measured (seeds 0-39, session 21): blocked share -0.246 [-0.265, -0.227]
    (95%); with both channels off +0.031 [+0.011, +0.051] (90%; margin +-0.061), with only
    the compromise off -0.178, only the official's support off -0.126."""
    contested = {"territories.nimby_share": 0.5}
    low = {**contested, "levers.dialogue": 0.0, "levers.public_interest_articulation": 0.0}
    high = {"levers.dialogue": 1.0, "levers.public_interest_articulation": 1.0}
    original = effect(low, high, "blocked_share")
    assert falls(original, 0.05)
    channels = {"mechanisms.dialogue_compromise": False, "mechanisms.officials_support": False}
    assert vanishes(effect({**low, **channels}, high, "blocked_share", level=0.90), original)


def test_9_impact_peaks_at_an_intermediate_macro_steering():
    """With the State's budget held constant, impact is highest at intermediate steering
    because two mechanisms pull against each other: « baronnies locales » (no shared frame,
    no shared knowledge, no national recognition) below, one imposed path above. Removing
    the baronnies (a code switch) leaves impact no higher at 0.5 than at 0; removing the
    imposed path leaves it no higher at 0.5 than at 1 (one-sided: the knocked-out rise or
    fall stays under MARGIN of the original; both turn the other way, so no two-sided
    equivalence). Under the default rule (proportional) and the default pull and frame: the
    hump holds under proportional, equal and arranger at these defaults, not under
    subsidiarity or macro_led, and only where pull >= 0.75 (ODD 1.2, observation 9)."""
    def steer(s):
        return {"governance.macro_steering": s}
    rise = effect(steer(0.0), steer(0.5), "impact")
    fall = effect(steer(1.0), steer(0.5), "impact")
    assert rises(rise, 0.5) and rises(fall, 0.3)
    for switch, low, original in (("baronnies", 0.0, rise), ("imposed_path", 1.0, fall)):
        _, _, hi = effect({f"mechanisms.{switch}": False, **steer(low)}, steer(0.5), "impact")
        assert hi < MARGIN * original[0], (switch, hi, original)


def test_9_under_subsidiarity_national_means_carry_the_standard():
    """Under subsidiarity the local partners choose the path, but national partners and
    national money come with the State's standard (mechanism ``national_conditions``; « Le
    macro peut les y aider, mais de pas de manière homogène »): at full steering, switching
    that channel off raises impact. Measured (40 seeds, session 20): 8.04 with it, 10.40
    without; the hump itself does not appear under subsidiarity (ODD 1.2, observation 9)."""
    full = {"governance.rule": "subsidiarity", "governance.macro_steering": 1.0}
    assert falls(effect({**full, "mechanisms.national_conditions": False},
                        {"mechanisms.national_conditions": True}, "impact"), 1.0)
