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
    _c("recognise", 4.0, "probability factor", 2.0, 6.0, "scaling",
       "national recognition probability before steering, salience and crowding",
       "calibrated: as adopt"),
    _c("comms_share", 0.02, "share of staff time", 0.01, 0.05, "scaling",
       "share of staff time a holder would give to making its initiative known",
       "assumed: about half a day a month"),
    _c("untold", 0.25, "relative chance", 0.1, 0.5, "scaling",
       "chance of notice of an uncapitalised path relative to a capitalised one",
       "assumed: a result without its path is hard to tell in a « récit national »"),
    _c("recognition_will", 0.05, "share of the gap to full will", 0.01, 0.1, "scaling",
       "will gained by a recognised territory's actors, times duty",
       "assumed: half the gain of a shared success"),
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
    ("exit_clause", "orderly", 0.3, 0.9, "share", "action", "share of exits that are orderly"),
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
    ("research", "stock", 0.0002, 0.002, "per month", "learning", "growth of the research stock"),
    ("legal_framework", "friction", 0.001, 0.03, "per month", "learning", "relative fall of legal friction"),
    ("innovation", "adopt", 0.2, 0.8, "factor", "scaling", "innovation factor in adoption (1 at 0.2)"),
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
