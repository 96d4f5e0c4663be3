"""One table of the model's constants: value, unit, plausible range and source.

Every number of the kernels that is not plain arithmetic and every lever's (without, with)
pair has one row here. Rows with ``runtime=True`` are read when a run starts (through
``Params.constants``), so a scenario or a sensitivity spec can set or sample them by dotted
path (``constants.pull``, ``constants.lever_dialogue_resolve_with``), validated within their
plausible range. Rows with ``runtime=False`` are compiled into the kernels: the table is
still their single source (the modules read their value from here) but a run cannot change
them. docs/ODD.md's table of constants is generated from this one (``markdown``) and a test
checks that they agree.

``source`` is a reference, "calibrated: ..." (set so that the model lands in a calibration
band) or "assumed: ..." with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Constant:
    id: str
    value: float
    unit: str
    low: float
    high: float
    module: str
    meaning: str
    source: str
    runtime: bool = True


def _c(*args, **kw) -> Constant:
    return Constant(*args, **kw)


_MODEL: tuple[Constant, ...] = (
    # --- emergence, partner search -----------------------------------------------------
    _c("base_rate", 0.036, "initiatives per association-month", 0.02, 0.06, "emergence",
       "initiatives started per association-month at full will and need, median size",
       "calibrated: about 170 alliances formed in 10 years over 20 territories"),
    _c("p_national", 0.45, "probability", 0.3, 0.6, "partner_search",
       "chance a candidate met is a national actor",
       "calibrated: national-partnership share in 15-30% (Le RAMEAU)"),
    _c("p_regional", 0.08, "probability", 0.03, 0.15, "partner_search",
       "chance a candidate met is the region's foundation",
       "assumed: one regional foundation is rarely met, less often than national actors"),
    # --- governance: the two macro mechanisms ----------------------------------------
    _c("pull", 1.0, "share of the way", 0.5, 1.0, "governance",
       "share of the way to the national standard a path moves at full steering (imposed_path)",
       "assumed: at full steering the national standard is the path; half-way is the mildest reading of « trop de présence du macro »"),
    _c("frame", 1.0, "relative misalignment", 0.5, 2.0, "governance",
       "extra misalignment of objectives in an alliance that shares no frame (baronnies)",
       "assumed: objectives diverge twice as much without « un cadre commun et partagé »"),
    # --- will, practice and imposition ------------------------------------------------
    _c("will_full", 0.7, "will (0-1)", 0.5, 0.9, "common",
       "will at which a lever is practised in full (below: in proportion)",
       "assumed: the default will of associations and officials, so that the status quo is unchanged"),
    _c("imposed_fidelity", 0.6, "share of the dose", 0.3, 0.9, "levers",
       "share of a Charter lever's dose practised when the Charter is imposed",
       "assumed: a norm is followed in the letter more than in the spirit (Delevoye; Frey & Jegen 2001)"),
    _c("crowd_out", 0.01, "share of will per month", 0.003, 0.03, "action",
       "will a local partner loses each month of work under an imposed Charter",
       "assumed: about a third of its will over a 36-month project (motivation crowding, Frey & Jegen 2001)"),
    _c("duty_to_will", 0.1, "share of the gap to full will", 0.03, 0.3, "outcomes",
       "will gained at a shared success, times duty (« le devoir d'alliance s'est transformé en envie d'alliance »)",
       "assumed: a few successes turn duty into will"),
    _c("disappointment", 0.05, "share of will", 0.01, 0.15, "outcomes",
       "will lost when an alliance ends without success",
       "assumed: smaller than the gain of a success (failures are common)"),
    # --- impact -----------------------------------------------------------------------
    _c("impact_per_work", 0.02, "need units per work-month", 0.01, 0.04, "outcomes",
       "need reduced per work-month of a median project at full effectiveness",
       "calibrated: keeps the status quo's impact where it was before deliverables accrued with months"),
    _c("completion_bonus", 0.67, "share of the need reduced while acting", 0.3, 1.0, "outcomes",
       "lasting result of a success",
       "assumed: a success's lasting result is of the order of what it did while acting"),
    _c("shared_step", 0.05, "share of what is left to learn", 0.02, 0.1, "outcomes",
       "national knowledge gained per capitalised path (reaches alliances in proportion to steering)",
       "assumed: as a territory's own knowledge gain (0.05)"),
    # --- scaling: the glass ceiling ------------------------------------------------------
    _c("adopt", 0.7, "probability", 0.3, 1.0, "scaling",
       "adoption probability per neighbour of a capitalised success, before salience and crowding",
       "calibrated: fewer than 10% of baseline runs without scaling, fewer than one scaling per three successes"),
    _c("recognise", 6.0, "probability factor", 3.0, 8.0, "scaling",
       "national recognition probability before steering, salience and crowding",
       "calibrated: as adopt (raised from 4.0 when free-riding and reporting time lowered local successes from about 17 to 10 a run)"),
    _c("comms_share", 0.02, "share of staff time", 0.01, 0.05, "scaling",
       "share of staff time a holder would give to making its initiative known",
       "assumed: about half a day a month"),
    _c("untold", 0.25, "relative chance", 0.1, 0.5, "scaling",
       "chance of notice of an uncapitalised path relative to a capitalised one",
       "assumed: a result without its path is hard to tell in a « récit national »"),
    _c("recognition_will", 0.05, "share of the gap to full will", 0.01, 0.1, "scaling",
       "will gained by a recognised territory's actors, times duty",
       "assumed: half the gain of a shared success"),
    # --- free-riding, transparency, cooperation (issue 9, item 5) ------------------------
    _c("free_ride", 0.1, "probability per month", 0.03, 0.3, "action",
       "chance a partner at zero engagement withholds its monthly pledge when its contribution is not recorded",
       "assumed: in public-goods games without sanctions contributions fall to 10-40% of the endowment within ten rounds "
       "(Fehr & Gächter 2000, AER 90(4)); here, milder (partners chose each other), a partner at engagement 0.5 withholds about one month in twenty-five"),
    _c("unfairness_felt", 0.05, "engagement per share withheld", 0.02, 0.15, "action",
       "engagement a paying partner loses in a month when all the others' pledges were withheld (in proportion)",
       "assumed: contributors withdraw when others free-ride (Fehr & Gächter 2000); 2.5 times the macro-unfairness rate (0.02), since the loss is seen"),
    _c("report_time", 0.02, "FTE-months per month", 0.005, 0.04, "action",
       "staff time a partner of a macro alliance spends reporting each month at full reporting",
       "assumed: about half a day a month, 40% of the day a month (work_time) a partner gives the alliance"),
    _c("transparency_trust", 0.01, "share of the gap to full trust per month", 0.003, 0.03, "action",
       "trust in the macro a local partner gains each month of full reporting (times its distance to full trust)",
       "assumed: information closes the gap in about eight years of full reporting; « il y a besoin de transparence pour la confiance »"),
    _c("joint_trust", 0.01, "share of the gap per work-month", 0.003, 0.03, "action",
       "cooperative trust among a territory's associations built per work-month of an alliance with an association",
       "assumed: a 36-month project closes about 15% of the gap; « la concurrence [...] peut se transformer en cohérence »"),
    _c('official_weight_local', 1.0, 'share of a block averted', 0.7, 1.0, 'conflicts',
       "weight of a supporting official's defence at a local arbitration",
       "assumed: the local general interest is the local executive's to arbitrate (« garantie par les élus compétents »)", runtime=False),
    _c('official_weight_regional', 0.6, 'share of a block averted', 0.3, 0.8, 'conflicts',
       "weight of a supporting official's defence at a regional arbitration",
       'assumed: one voice among the region\'s communes', runtime=False),
    _c('official_weight_national', 0.3, 'share of a block averted', 0.1, 0.5, 'conflicts',
       "weight of a supporting official's defence at a national arbitration",
       'assumed: the national interest weighs more than one commune (TGV, waste sites)', runtime=False),
    _c('negotiation', 0.2, 'share of opposition per month', 0.1, 0.4, 'conflicts',
       'opposition a supporting official talks down each month, times the dialogue practised',
       'assumed: the factor the model used before officials were needed for it', runtime=False),
    # --- compiled into the kernels (the modules read their value from here) --------------
    _c('initial_friction', 0.3, 'share of months', 0.1, 0.5, 'initialise',
       'initial legal and administrative friction',
       'assumed: about a third of months lost to checks before the legal framework evolves', runtime=False),
    _c('branch_share', 0.5, 'probability', 0.2, 0.8, 'initialise',
       "chance a territory's first firm is a national group's branch",
       "assumed: half of territories host a national group's branch", runtime=False),
    _c('max_size', 300.0, 'median sizes', 100.0, 1000.0, 'initialise',
       'largest association',
       'assumed: a national network with about 600 staff', runtime=False),
    _c('cost_elasticity', 0.7, 'elasticity', 0.5, 1.0, 'emergence',
       "elasticity of a project's monthly cost to its holder's size",
       'assumed: larger holders run larger, but not proportionally larger, projects', runtime=False),
    _c('threshold', 0.15, 'benefit', 0.05, 0.3, 'partner_search',
       'benefit a candidate needs to join',
       'assumed: « performance pour chacun »', runtime=False),
    _c('target_size', 4.0, 'partners', 3.0, 6.0, 'partner_search',
       'partners at which search stops',
       'assumed: typical territorial alliances of three to five partners', runtime=False),
    _c('term_slack', 12.0, 'months', 0.0, 24.0, 'partner_search',
       'months past the election an official still counts on',
       'assumed: campaign and hoped re-election', runtime=False),
    _c('work_time', 0.05, 'FTE-months per month', 0.02, 0.1, 'partner_search',
       'staff time a partner gives each alliance each month',
       'assumed: about one day a month', runtime=False),
    _c('legitimacy_loss', 0.6, 'probability', 0.3, 0.9, 'elections',
       "chance an alliance folds with its official's withdrawal, whatever the money",
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('min_award', 2.0, 'months of a median project', 1.0, 4.0, 'funding',
       'smallest award',
       'assumed: funders do not make token grants', runtime=False),
    _c('exit_level', 0.2, 'engagement', 0.1, 0.3, 'action',
       'engagement under which a partner leaves',
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('coordination_strain', 0.05, 'engagement per unit of coordination', 0.02, 0.1, 'action',
       'engagement lost per unit of coordination cost',
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('legal_delay', 0.8, 'share', 0.5, 1.0, 'action',
       'share of the national friction that turns into lost months of action',
       'assumed: « report ou retard des projets [...] renforcé par des questions juridiques »', runtime=False),
    _c('duplicate_effect', 0.4, 'effectiveness factor', 0.2, 0.7, 'action',
       'effectiveness of a duplicate initiative',
       'assumed: « dispersion des énergies »', runtime=False),
    _c('setback', 0.02, 'probability per month per unit of risk', 0.01, 0.05, 'action',
       'monthly chance of a failed step per unit of risk',
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('progress_scale', 3.0, 'progress per work-month x duration', 2.0, 4.0, 'action',
       'progress scale',
       'calibrated: a typical alliance ends near progress 0.75', runtime=False),
    _c('work_engagement', 0.125, 'engagement per work-month', 0.05, 0.25, 'action',
       'engagement gained per work-month delivered',
       'assumed: seeing the work done keeps engagement (Ansell & Gash 2008, small wins)', runtime=False),
    _c('milestone_gain', 0.03, 'engagement', 0.01, 0.06, 'action',
       'engagement per milestone',
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('trust_loss', 0.03, 'trust', 0.01, 0.06, 'action',
       'trust lost by a conflictual cross-level exit or a national override',
       'assumed: lost in one conflict, built over many months (Slovic 1993)', runtime=False),
    _c('opposition_rate', 0.3, 'opposition per month', 0.1, 0.6, 'conflicts',
       "opposition gained per month per unit of local cost and residents' distrust",
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('break', 0.3, 'probability', 0.1, 0.5, 'conflicts',
       'chance an unresolved, unrepaired conflict drives the least engaged out',
       'assumed (Ansell & Gash 2008)', runtime=False),
    _c('conflict_loss', 0.2, 'engagement', 0.1, 0.3, 'conflicts',
       'engagement lost by every partner after an unresolved conflict',
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('attention', 0.04, 'successes per territory-year', 0.02, 0.08, 'scaling',
       'successes per territory and year the ecosystem can take notice of',
       'calibrated: glass ceiling (« sur-information »)', runtime=False),
    _c('recognition_capacity', 1.0, 'recognitions per national review', 1.0, 3.0, 'scaling',
       'national recognitions per national review',
       'assumed: limited national attention', runtime=False),
    _c('adopted_knowledge', 0.3, 'knowledge', 0.1, 0.5, 'scaling',
       'knowledge a replica starts with',
       'assumed: no published figure; mid-range of the plausible values', runtime=False),
    _c('p_standard', 0.5, 'path', 0.5, 0.5, 'governance',
       'the national standard path',
       'assumed: a convention, the middle of the path axis', runtime=False),
    _c('fte_month_keur', 4.0, 'k€ per FTE-month', 3.0, 6.0, 'state',
       'value of one FTE-month of staff time',
       'assumed: loaded cost of staff, France', runtime=False),
    _c('status_quo', 0.2, 'dose', 0.1, 0.4, 'levers',
       'default intensity of the Charter levers',
       'assumed: practised, but unevenly and uncodified', runtime=False),
    # --- issue 9 item 6: power-sharing rules and funding regimes as institutions ----------
    _c("meeting_time", 0.1, "FTE-months per partner and month", 0.05, 0.3, "governance",
       "staff time each partner with a say spends at the table in a month of deliberation",
       "assumed: two to four half-day meetings a month with their preparation (0.1 FTE-month is about two days)"),
    _c("committee_time", 0.2, "FTE-months per session", 0.1, 0.5, "funding",
       "staff time the local executive spends on one session of its territory's pooled-fund committee",
       "assumed: reading the dossiers and a half-day session, about four days"),
)


def _lever(lever: str, variable: str, without: float, with_: float, unit: str, module: str,
           meaning: str) -> tuple[Constant, Constant]:
    """A lever's two ends. The standard dose closes about half of the gap between the status
    quo and the variable's best value, so the "with" end's plausible range runs from a
    quarter to three quarters of that gap, and the "without" end's from 20% of the gap
    either side (never below 0, nor above 1 for a probability or a share)."""
    gap = with_ - without
    top = 1.0 if unit in ("probability", "share") else float("inf")
    lo_w, hi_w = sorted((without - 0.2 * gap, without + 0.2 * gap))
    lo, hi = sorted((without + 0.5 * gap, without + 1.5 * gap))
    lo_w, lo = max(0.0, lo_w), max(0.0, lo)
    hi_w, hi = min(top, hi_w), min(top, hi)
    why = "assumed: the standard dose (with closes about half the gap to the best value); range a quarter to three quarters of it"
    return (_c(f"lever_{lever}_{variable}_without", without, unit, lo_w, hi_w, module,
               f"{lever}: {meaning}, without the lever", why),
            _c(f"lever_{lever}_{variable}_with", with_, unit, lo, hi, module,
               f"{lever}: {meaning}, at full dose", why))


_LEVERS: tuple[tuple[str, str, float, float, str, str, str], ...] = (
    ("sharing", "overhead", 0.4, 0.1, "share of spending", "action", "overhead"),
    ("animation_governance", "coordination_exponent", 1.6, 1.0, "exponent", "action", "growth of coordination cost with size"),
    ("experimentation", "fail_ends", 0.5, 0.1, "probability", "action", "chance a failed step ends the alliance"),
    ("evaluation", "detect", 0.1, 0.6, "probability", "action", "chance a failing alliance is detected"),
    ("contribution_valuation", "recognition", 0.0, 0.8, "share", "action", "recognition of micro contributions"),
    ("exit_clause", "procedure", 0.0, 0.8, "probability", "action", "chance a leaving partner follows an exit procedure agreed beforehand"),
    ("sharing", "joint", 1.0, 2.0, "factor", "action", "factor on the cooperative trust joint work builds"),
    ("celebration", "milestone", 0.0, 0.1, "engagement", "action", "extra engagement per milestone"),
    ("sdg_frame", "visible", 0.2, 0.6, "share", "governance", "visibility of micro contributions"),
    ("sdg_frame", "misalign", 1.0, 0.5, "factor", "governance", "scale of objective misalignment"),
    ("shared_objectives", "start", 0.25, 0.9, "probability per month", "governance", "chance a ready alliance starts"),
    ("shared_objectives", "cover", 0.45, 0.35, "share", "governance", "share of three months' cost needed in hand to start"),
    ("tools", "setup", 0.8, 0.2, "FTE-months", "governance", "holder's set-up staff time"),
    ("territorial_anchoring", "target", 0.3, 0.8, "share", "emergence", "share aimed at the most pressing need"),
    ("territorial_anchoring", "fragile", 0.0, 2.0, "factor", "emergence", "extra emergence in fragile territories"),
    ("cross_domain", "spread", 0.1, 0.5, "share", "emergence", "weight spread over the other needs"),
    ("complementarity", "duplicate", 0.6, 0.1, "share", "emergence", "share of would-be holders who duplicate rather than join"),
    ("actor_mapping", "meet", 1.0, 3.0, "factor", "partner_search", "factor on meeting national actors and the regional foundation"),
    ("third_places", "candidates", 2.0, 4.0, "candidates per month", "partner_search", "candidates met per month"),
    ("third_places", "other_kind", 0.0, 0.6, "probability", "partner_search", "chance of redrawing a same-kind candidate"),
    ("accessibility", "not_for_me", 0.5, 0.9, "factor", "partner_search", "small associations' will factor when joining"),
    ("engineering_funding", "funded", 0.0, 0.8, "share", "partner_search", "share of participation cost paid by the State"),
    ("data", "bias", 1.0, 0.4, "factor", "funding", "factor on the visibility bias in call scores"),
    ("data", "seen", 0.3, 4.0, "score weight", "funding", "weight of project quality in call scores"),
    ("training", "conflict", 1.0, 0.5, "factor", "conflicts", "factor on internal conflict probability"),
    ("dialogue", "resolve", 0.4, 0.8, "probability", "conflicts", "chance an internal conflict is resolved"),
    ("mutual_trust", "repair", 1.0, 0.3, "factor", "conflicts", "factor on damage after an unresolved conflict"),
    ("public_interest_articulation", "articulation", 0.0, 0.6, "share", "conflicts", "articulation of opposition with the public interest"),
    ("dialogue", "compromise", 0.2, 0.6, "probability", "conflicts", "chance of compromise at arbitration"),
    ("capitalisation", "capitalise", 0.2, 0.6, "probability", "outcomes", "chance a finished path is capitalised"),
    ("competences", "skill", 0.002, 0.01, "per month", "learning", "skill growth of partners"),
    ("mutualisation", "spill", 0.0, 0.015, "per month", "learning", "skill spill-over to local actors"),
    ("mutualisation", "fade", 0.004, 0.002, "per month", "learning", "monthly fading of associations' cooperative trust"),
    ("research", "stock", 0.0002, 0.002, "per month", "learning", "growth of the research stock"),
    ("legal_framework", "friction", 0.001, 0.03, "per month", "learning", "relative fall of legal friction"),
    ("innovation", "shared", 0.0, 0.6, "probability", "scaling", "chance a capitalised success is shared along its partners' networks"),
    ("hub_platform", "hub", 0.0, 1.0, "factor", "scaling", "hub term in the visibility factor"),
)

CONSTANTS: tuple[Constant, ...] = _MODEL + tuple(c for row in _LEVERS for c in _lever(*row))
BY_ID: dict[str, Constant] = {c.id: c for c in CONSTANTS}
LEVER_ENDS: dict[str, list[tuple[str, str]]] = {}
for _row in _LEVERS:
    LEVER_ENDS.setdefault(_row[0], []).append((_row[1], _row[5]))


def value(cid: str) -> float:
    """The table's value of constant ``cid`` (for the modules that compile it in)."""
    return BY_ID[cid].value


def lever_ranges(lever: str) -> list[dict]:
    """Each variable a lever moves, with its two ends, their plausible ranges and source."""
    out = []
    for variable, _ in LEVER_ENDS.get(lever, []):
        w0 = BY_ID[f"lever_{lever}_{variable}_without"]
        w1 = BY_ID[f"lever_{lever}_{variable}_with"]
        out.append({"variable": variable, "without": w0.value, "with": w1.value, "unit": w1.unit,
                    "range_without": [w0.low, w0.high], "range_with": [w1.low, w1.high],
                    "source": w1.source})
    return out


def markdown() -> str:
    """The table as docs/ODD.md prints it (generated: edit this module, not the ODD)."""
    lines = ["| id | value | unit | plausible range | module | meaning | source |",
             "|---|---|---|---|---|---|---|"]
    for c in CONSTANTS:
        where = c.module + ("" if c.runtime else " (compiled)")
        lines.append(f"| `{c.id}` | {c.value:g} | {c.unit} | {c.low:g}–{c.high:g} | {where} | "
                     f"{c.meaning} | {c.source} |")
    return "\n".join(lines)
