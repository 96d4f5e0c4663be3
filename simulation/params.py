"""The one typed parameter structure of the model (pydantic), and its error messages.

Every default is justified in docs/ODD.md ("Parameters"). Units: money in k€, staff time
in full-time-equivalent months (FTE-months), time in months. Unknown keys and values out of
range raise :class:`ParameterError`, whose message names the key, what was expected and what
was found, with a "did you mean" for misspelt keys.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from .constants import CONSTANTS
from .levers import LEVERS

RULES = ("macro_led", "proportional", "equal", "subsidiarity", "arranger")
REGIMES = ("competitive_calls", "pooled_fund", "direct_link", "mixed")
ARBITRATION_LEVELS = ("local", "regional", "national")


class ParameterError(ValueError):
    """A parameter set that cannot be run: the message says which key, expected and found."""


class _Section(BaseModel):
    # strict: no boolean or string becomes a number (TOML `months = true` or `"12"` is refused);
    # allow_inf_nan=False: no NaN or infinity in any parameter.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, strict=True,
                              allow_inf_nan=False)


class Run(_Section):
    seed: int = Field(0, ge=0, le=2**63 - 1, description="the only source of randomness")
    months: int = Field(120, ge=1, le=2400, description="length of the run, monthly steps")


class TerritoryRecord(_Section):
    """One territory read from a territories table (scenarios/territories_example.csv)."""

    name: str
    region: int = Field(ge=0, le=99, description="index of the region (at most 100 regions)")
    x: float = Field(ge=0, le=1, description="position in the unit square")
    y: float = Field(ge=0, le=1, description="position in the unit square")
    fragility: float = Field(ge=0, le=1)
    need_economic: float = Field(ge=0, le=1)
    need_social: float = Field(ge=0, le=1)
    need_environmental: float = Field(ge=0, le=1)
    social_capital: float = Field(ge=0, le=1)
    associations: int = Field(ge=0, le=10_000)
    firms: int = Field(ge=0, le=10_000)


class Territories(_Section):
    count: int = Field(20, ge=1, le=5000, description="territories (intercommunalities)")
    regions: int = Field(4, ge=1, le=100)
    neighbours: int = Field(4, ge=0, le=20, description="nearest territories that see each other")
    fragility_mean: float = Field(0.4, ge=0.01, le=0.99)
    initial_need: float = Field(0.5, ge=0, le=1)
    need_regeneration: float = Field(0.01, ge=0, le=1, description="share of the gap to full need regenerating per month")
    social_capital_mean: float = Field(0.5, ge=0, le=1)
    resident_trust: float = Field(0.5, ge=0, le=1, description="residents' trust in local initiatives")
    nimby_share: float = Field(0.15, ge=0, le=1, description="share of initiatives with local costs and wider benefits")
    tradeoff_share: float = Field(0.2, ge=0, le=1, description="share trading one need against another")
    path_diversity: float = Field(1.0, ge=0, le=1, description="spread of territories' own best paths around the national standard")
    records: list[TerritoryRecord] | None = Field(None, min_length=1, max_length=5000,
                                                  description="territories read from a table; overrides count")


class ActorType(_Section):
    """Traits of one actor type: the seed's devoir / pouvoir / envie and the rest."""

    will: float = Field(ge=0, le=1, description="envie: scales every decision to start or join")
    duty: float = Field(ge=0, le=1, description="devoir: weight of the territory's needs in the benefit of joining")
    capacity: float = Field(ge=0, le=1, description="pouvoir: share of own means that can be committed")
    risk_tolerance: float = Field(ge=0, le=1)
    trust: float = Field(ge=0, le=1, description="initial trust towards other actors")
    control_preference: float = Field(ge=0, le=1, description="how much a gap between preferred and chosen path costs")
    horizon_months: float = Field(ge=0, le=600, description="planning horizon")
    skill: float = Field(ge=0, le=1, description="co-construction skill")
    money: float = Field(ge=0, le=1e6, description="yearly means (k€) of a median actor of this type (at most 1 bn€: past it the model overflows)")
    staff: float = Field(ge=0, le=1e5, description="staff time of a median actor (FTE; at most 100,000)")


def _type(**kw: Any) -> Any:
    return Field(default_factory=lambda: ActorType(**kw))


class Actors(_Section):
    associations_per_territory: int = Field(8, ge=0, le=10_000)
    firms_per_territory: int = Field(3, ge=0, le=10_000)
    national_foundations: int = Field(3, ge=0, le=1000)
    local_foundations_per_region: int = Field(1, ge=0, le=1000)
    association_size_dispersion: float = Field(2.0, ge=0, le=4, description="sigma of log size")
    path_heterogeneity: float = Field(0.1, ge=0, le=1, description="spread of actors' preferred paths")
    will_scale: float = Field(1.0, ge=0, le=5, description="multiplier on every actor's starting will (envie), clipped to 1")
    state: ActorType = _type(will=0.6, duty=0.9, capacity=0.5, risk_tolerance=0.2, trust=0.4,
                             control_preference=0.8, horizon_months=60, skill=0.5, money=0, staff=20)
    foundation: ActorType = _type(will=0.7, duty=0.6, capacity=0.6, risk_tolerance=0.6, trust=0.5,
                                  control_preference=0.5, horizon_months=36, skill=0.6, money=0, staff=5)
    firm: ActorType = _type(will=0.6, duty=0.2, capacity=0.3, risk_tolerance=0.4, trust=0.4,
                            control_preference=0.6, horizon_months=30, skill=0.5, money=60, staff=3)
    association: ActorType = _type(will=0.8, duty=0.8, capacity=0.7, risk_tolerance=0.5, trust=0.6,
                                   control_preference=0.4, horizon_months=36, skill=0.4, money=30, staff=2)
    official: ActorType = _type(will=0.7, duty=0.9, capacity=0.6, risk_tolerance=0.3, trust=0.5,
                                control_preference=0.7, horizon_months=72, skill=0.5, money=120, staff=4)


class Time(_Section):
    electoral_cycle_months: int = Field(72, ge=1, le=600, description="municipal mandate (France: 6 years)")
    stagger_elections: bool = Field(False, description="False: every territory votes the same month, as in France")
    turnover_probability: float = Field(0.4, ge=0, le=1, description="chance an election changes the local executive")
    project_duration_months: int = Field(36, ge=1, le=600)
    grant_duration_months: int = Field(12, ge=1, le=600, description="12: annual grants; 36: multi-year")
    national_tempo_months: int = Field(12, ge=1, le=120, description="period of national reviews; sets national actors' response rate and branches' horizons")
    local_tempo_months: int = Field(4, ge=1, le=120, description="period of the pooled fund's allocations; over national_tempo, national actors' response rate")
    patience_months: int = Field(18, ge=1, le=600, description="how long a holder waits for partners or money")


class Governance(_Section):
    rule: Literal[RULES] = "proportional"  # type: ignore[valid-type]
    macro_steering: float = Field(0.5, ge=0, le=1, description="how much the national level sets objectives and path (its money is funding.national_budget_scale)")
    charter: Literal["voluntary", "imposed"] = "voluntary"
    arbitration_level: Literal[ARBITRATION_LEVELS] = "regional"  # type: ignore[valid-type]
    reporting: float = Field(0.3, ge=0, le=1, description="transparency demanded from partners")
    arranger_capacity: int = Field(8, ge=0, le=10_000, description="alliances one arranger can serve per territory")
    arranger_cost: float = Field(0.5, ge=0, le=1e6, description="monthly cost (k€) of an arranger per served alliance: one FTE (4 k€/month) shared by the arranger_capacity (8) alliances it serves")


class Funding(_Section):
    regime: Literal[REGIMES] = "competitive_calls"  # type: ignore[valid-type]
    budget_scale: float = Field(1.0, ge=0, le=100)
    application_cost: float = Field(0.5, ge=0, le=12, description="staff time (FTE-months) per application")
    call_period_months: int = Field(3, ge=1, le=120, description="months between two calls of one funder")
    selection_noise: float = Field(0.5, ge=0, le=5, description="sd of noise in funders' scores")
    visibility_bias: float = Field(1.0, ge=0, le=5, description="weight of holder size in funders' scores")
    themed_calls: bool = Field(True, description="calls fund one need dimension each")
    max_failures: int = Field(4, ge=1, le=100, description="consecutive failures before a holder stops applying")
    state_budget: float = Field(150.0, ge=0, le=1e6, description="yearly State budget (k€) per territory at national_budget_scale 1")
    national_budget_scale: float = Field(1.0, ge=0, le=100, description="the State's money: multiplier on state_budget, independent of steering")
    foundation_budget: float = Field(30.0, ge=0, le=1e6, description="yearly budget (k€) of a national foundation per territory")
    local_foundation_budget: float = Field(100.0, ge=0, le=1e6, description="yearly budget (k€) of a local foundation per territory of its region")
    project_cost: float = Field(10.0, ge=0.01, description="monthly cost (k€) of a median project (the model divides by it: 0 cannot occur)")
    participation_cost: float = Field(0.3, ge=0, le=12, description="co-construction cost, FTE-months per member")
    pooled_share: float = Field(0.5, ge=0, le=1, description="share of the budget in the pooled fund under 'mixed'")
    results_contracts: float = Field(0.0, ge=0, le=1, description="share of the State's calls and direct rounds that pay on results only: deliverables, not the evaluation and capitalisation of the path (mechanism unpaid_path)")
    local_grant_share: float = Field(0.0, ge=0, le=1, description="share of a local executive's yearly means put into its own grant programme for its territory's associations (mechanism local_grants)")


class Mechanisms(_Section):
    """Strengths of the model's channels, and code switches (booleans) that remove one
    mechanism: the knockouts the tests use to show an observation comes from its channel
    (docs/ODD.md says which submodels read each)."""

    frustration: float = Field(1.0, ge=0, le=10, description="engagement lost per unit of path frustration")
    unfairness: float = Field(1.0, ge=0, le=10, description="engagement lost per unit of unrecognised contribution")
    path_fit: float = Field(1.0, ge=0, le=10, description="loss of effectiveness per unit distance from the territory's best path")
    competition: float = Field(1.0, ge=0, le=10, description="how much funding pressure deters associations from allying")
    electoral_horizon: float = Field(1.0, ge=0, le=1, description="1: an official's planning horizon ends with its term")
    election_withdrawal: float = Field(1.0, ge=0, le=1, description="chance a new executive withdraws from a predecessor's alliance")
    small_staff_limit: float = Field(1.0, ge=0, le=1, description="1: applications and participation cost staff time, which caps them and weighs in the decision")
    nimby: float = Field(1.0, ge=0, le=10, description="opposition raised per unit of local cost")
    macro_support: float = Field(1.0, ge=0, le=10, description="scaling support from the national level")
    practice_by_will: bool = Field(True, description="levers are practised in proportion to their practitioners' will (False: at full strength whatever the will)")
    will_dynamics: bool = Field(True, description="will changes: shared success and recognition turn duty into will, failure and imposition erode it")
    baronnies: bool = Field(True, description="without national steering, territories close in on themselves: no shared frame, no shared knowledge, no arbitration between territories")
    imposed_path: bool = Field(True, description="national steering pulls every alliance's path towards the national standard")
    information_overload: bool = Field(True, description="national recognition and adoption compete for limited attention among all signals")
    holder_legitimacy: bool = Field(True, description="a holder not recognised locally and nationally is less often noticed")
    admin_burden_visibility: bool = Field(True, description="staff time spent on applications is not spent making the initiative known")
    national_narrative: bool = Field(True, description="only an evaluated and capitalised path can be told nationally")
    free_riding: bool = Field(True, description="a partner whose contribution is not recorded may withhold its pledge; those who paid feel it")
    holder_succession: bool = Field(True, description="under an agreed exit procedure, a leaving holder hands its role to the most engaged partner")
    joint_work_trust: bool = Field(True, description="joint work of associations builds their territory's cooperative trust, which turns competition into cooperation")
    officials_support: bool = Field(True, description="articulation with the public interest works through the local executive as a partner: it negotiates with residents and defends the initiative at arbitration")
    network_diffusion: bool = Field(True, description="an innovation shared with the ecosystem is known to its neighbours even uncapitalised and travels along its partners' networks")
    executive_change: bool = Field(True, description="a new local executive brings its own will, skill and preferred path")
    deliberation: bool = Field(True, description="under each power-sharing rule, the partners who have a say must accept the proposed path before the alliance is settled (macro_led: at the next national review); each month of deliberation costs their staff time")
    objective_from_above: bool = Field(True, description="under macro_led the national level also sets the alliance's objective: the need dimension that is highest nationally, not the territory's own")
    territorial_committee: bool = Field(True, description="the pooled fund is split into territorial envelopes, each decided by its territory's local actors, who know its initiatives as far as its social capital goes (dossiers shorter, holders' size matters less)")
    risk_taking: bool = Field(True, description="the right to error (experimentation) lets holders start initiatives riskier than they would alone, with higher potential")
    trust_at_meeting: bool = Field(True, description="mutual trust (the Charter's « contrat de confiance ») makes a candidate set aside part of its distrust of a holder it meets")
    cross_domain_search: bool = Field(True, description="cross-domain reflection makes a holder look beyond its own type of actor for partners")
    volunteer_participation: bool = Field(True, description="concrete examples and a lexicon let a small association's volunteers carry part of its co-construction time, so its staff time binds less")
    budget_vote: bool = Field(True, description="every budget period the alliance's budget and whether to go on are decided under the power-sharing rule: leader-led rules decide at once and overrule some partners, consent rules wait until all agree (no spending meanwhile)")
    evaluated_selection: bool = Field(True, description="a jointly evaluated path tells funders what the alliance is worth: less noise and less weight on the holder's visibility in their scores")
    opposition_coalition: bool = Field(True, description="opponents of an initiative with local costs ally against it (the « alliance contre »): local actors join, each takes a seat and staff time while the fight lasts, and adds its weight to the block chance at arbitration")
    pooled_means: bool = Field(True, description="partners who practise sharing run their tools, data and premises once for the alliance, so its overhead does not grow with each partner (off: every partner keeps its own)")
    sdg_common_frame: bool = Field(True, description="a partner who practises the SDG frame brings it to the alliance as a common frame, as the national frame does: objectives of a framed alliance diverge less (off: only the national frame frames)")
    hub_partner_search: bool = Field(True, description="a holder who uses the hub looks a second candidate up in its listing and asks the one more likely to accept (room, time, benefit, trust)")
    stop_on_evaluation: bool = Field(True, description="at a budget session a disengaged decider votes to stop the alliance only when it is failing on its work (at its pace so far, more likely to fail than succeed); off: low engagement alone")
    unpaid_path: bool = Field(True, description="a State results contract (funding.results_contracts) pays deliverables, not the path: the State does not read the alliance's evaluation, and the share of an alliance's grants it paid is a share of the path left uncapitalised unless a local partner pays for it")
    local_gap_filling: bool = Field(True, description="where national money leaves the path unpaid, a local partner gives its own free staff time to capitalise it (« le micro comble les trous du macro »)")
    local_grants: bool = Field(True, description="each local executive runs its own yearly grant programme for its territory's associations (funding.local_grant_share), decided as a territorial committee")
    national_conditions: bool = Field(True, description="under subsidiarity the local partners choose the path, but national partners and national money come with the State's standard: an alliance that has either is pulled towards it as national steering pulls paths under the other rules (off: subsidiarity is free of steering's pull)")
    crowding_out: bool = Field(True, description="an imposed Charter crowds out the will of each local actor who practises it, once a month whatever the number of its alliances, so it is practised less and joined less because it is wanted less (off: imposition acts only through imposed_dose)")
    imposed_dose: bool = Field(False, description="an alternative reading of imposition, off by default: an imposed Charter's levers are also practised at constants.imposed_fidelity of their dose whatever the will (the letter more than the spirit); on, it counts the crowding out twice")
    level_tensions: bool = Field(True, description="a territory's local actors tell a success to the national level as far as they trust the macro (above or below neutral trust): tensions between levels hold national recognition back")
    work_cement: bool = Field(True, description="the work partners have done together builds the trust that absorbs their frictions (path frustration, coordination strain, unfairness): an alliance's monthly hazard of exits falls with its age in work")
    public_cofunding: bool = Field(True, description="a local executive that is a partner of an initiative co-funds it from its budget once a year, a share of its funding gap set by the articulation with the public interest practised (lever public_interest_articulation)")
    application_burden: bool = Field(True, description="applying for money costs the holder funding.application_cost FTE-months of its staff time (the pooled fund's committee: the share it does not know), time not spent cooperating or making the initiative known (off: applications cost no staff time)")
    hub_attention: bool = Field(True, description="a success listed in the hub (hub_platform) is looked up under the need it serves, so it competes for attention with that need's successes only (off: listed or not, it competes with all signals)")
    replacement_search: bool = Field(True, description="an alliance left with fewer than two partners by an exit under an agreed procedure pauses and looks for a replacement partner (partner search) within the holder's patience, instead of ending at once; the replacement pledges as partners do at agreement")
    dialogue_compromise: bool = Field(True, description="at arbitration, dialogue (lever dialogue) can reach a compromise with the opponents: the local cost is halved and nothing is blocked (off: the chance of a compromise stays at its value without the lever whatever dialogue is practised)")
    work_setbacks: bool = Field(True, description="a failed step comes with the work done: the chance of a setback is per unit of the project's deliverables (progress; constants.setback), so a project meets the same expected setbacks whatever its length (off: a hazard per calendar month, constants.setback_month, as before session 22)")


Levers = create_model(
    "Levers",
    __base__=_Section,
    **{lv.id: (float, Field(lv.default, ge=0, le=1, description=lv.label_en)) for lv in LEVERS},
)


Constants = create_model(
    "Constants",
    __base__=_Section,
    **{c.id: (float, Field(c.value, ge=c.low, le=c.high, description=f"{c.meaning} ({c.unit}); {c.source}"))
       for c in CONSTANTS if c.runtime},
)
#: Constants compiled into the kernels (``runtime=False``): known, but not settable per run.
_COMPILED = {c.id: c.value for c in CONSTANTS if not c.runtime}


def _compiled(name: str) -> str:
    return (f"'{name}' is compiled into the kernels (value {_COMPILED[name]}, docs/ODD.md 9.9) and "
            f"cannot be set per run; a run can set the constants of docs/ODD.md 9.9 not marked (compiled)")


class Params(_Section):
    """All parameters of one run. ``run.seed`` is the only source of randomness."""

    run: Run = Field(default_factory=Run)
    territories: Territories = Field(default_factory=Territories)
    actors: Actors = Field(default_factory=Actors)
    time: Time = Field(default_factory=Time)
    governance: Governance = Field(default_factory=Governance)
    funding: Funding = Field(default_factory=Funding)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    levers: Levers = Field(default_factory=Levers)  # type: ignore[valid-type]
    constants: Constants = Field(default_factory=Constants)  # type: ignore[valid-type]

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "parameters") -> Params:
        """Validate a nested dict laid over the defaults (so a scenario names only what
        differs); raise ParameterError naming ``source`` and the key."""
        try:
            return cls.model_validate(merge(_defaults(), data))
        except ValidationError as exc:
            raise ParameterError(explain(exc, source)) from None

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Params:
        """A copy with dotted keys replaced (``{"governance.rule": "equal"}``); self is untouched."""
        data = self.model_dump()
        for dotted, value in overrides.items():
            set_dotted(data, dotted, value, source)
        return Params.from_dict(data, source)


_DEFAULTS: list[dict[str, Any]] = []


def _defaults() -> dict[str, Any]:
    """The default parameters as a dict, built once per process (a design validates one
    parameter dict per run: rebuilding the defaults each time cost about 0.2 ms a run).
    Only read: :func:`merge` copies what it changes."""
    if not _DEFAULTS:
        _DEFAULTS.append(Params().model_dump())
    return _DEFAULTS[0]


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` laid on ``base``, section by section; neither argument is modified."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = merge(base[key], value)
        else:
            out[key] = value
    return out


def _known_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _model_at(path: tuple) -> type[BaseModel] | None:
    model: Any = Params
    for part in path:
        if isinstance(part, int):
            model = TerritoryRecord
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return None
        ann = field.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else (
            TerritoryRecord if part == "records" else None)
        if model is None:
            return None
    return model


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


#: What a value of each pydantic error type should have been, in the user's words.
_EXPECTED = {
    "int_type": "an integer (not a boolean, string or decimal)",
    "int_from_float": "an integer (not a decimal)",
    "int_parsing": "an integer",
    "float_type": "a number (not a boolean or string)",
    "float_parsing": "a number (dot decimals)",
    "finite_number": "a finite number (not NaN or infinity)",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "dict_type": "a table",
    "missing": "a value (the key is missing)",
}


#: Problems reported at most, one line each.
MAX_LINES = 10


def explain(exc: ValidationError, source: str) -> str:
    """One line per problem (at most :data:`MAX_LINES`): source, dotted key, what was
    expected, what was found."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        found = err.get("input")
        if err["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            if parent is Constants and str(loc[-1]) in _COMPILED:
                lines.append(f"{source}: key '{key}': {_compiled(str(loc[-1]))}")
                continue
            known = _known_keys(parent) if parent else []
            hint = did_you_mean(str(loc[-1]), known)
            lines.append(f"{source}: unknown key '{key}'{hint}; expected one of: {', '.join(known)}")
            continue
        ctx = err.get("ctx") or {}
        if "ge" in ctx or "le" in ctx or "gt" in ctx or "lt" in ctx:
            bounds = " and ".join(f"{op} {ctx[k]}" for k, op in
                                  (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")) if k in ctx)
            expected = f"a value {bounds}"
        elif err["type"] == "literal_error":
            expected = "one of " + str(ctx.get("expected", ""))
            hint = did_you_mean(str(found), [s.strip(" '") for s in str(ctx.get("expected", "")).replace(" or ", ",").split(",")])
            expected += hint
        else:
            expected = _EXPECTED.get(err["type"]) or err["msg"].lower()
            if err["type"] == "too_short":
                expected = f"at least {ctx.get('min_length')} item(s)"
            elif err["type"] == "too_long":
                expected = f"at most {ctx.get('max_length')} items"
                found = f"{ctx.get('actual_length')} items"
        shown = "nothing" if err["type"] == "missing" else repr(found)
        lines.append(f"{source}: key '{key}': expected {expected}; found {shown}")
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"{source}: {len(lines) - MAX_LINES} more problem(s) not shown"]
    return "\n".join(lines)


def set_dotted(data: dict[str, Any], dotted: str, value: Any, source: str) -> None:
    """Set ``a.b.c`` in a nested dict, refusing keys that do not exist."""
    parts = dotted.split(".")
    node: Any = data
    model: Any = Params
    for i, part in enumerate(parts):
        fields = _known_keys(model) if model else list(node)
        if part not in fields:
            if model is Constants and part in _COMPILED:
                raise ParameterError(f"{source}: key '{dotted}': {_compiled(part)}")
            where = ".".join(parts[:i]) or "top level"
            raise ParameterError(
                f"{source}: unknown key '{dotted}'{did_you_mean(part, fields)}; "
                f"expected one of ({where}): {', '.join(fields)}")
        if i == len(parts) - 1:
            node[part] = value
            return
        ann = model.model_fields[part].annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if model is None or not isinstance(node.get(part), dict):
            raise ParameterError(f"{source}: key '{dotted}': '{part}' is a value, not a section")
        node = node[part]
