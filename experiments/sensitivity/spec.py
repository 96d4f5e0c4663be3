"""Sensitivity experiment specs: TOML files that name the factors, the method and the statistics.

A spec is validated like a scenario: an unknown key, a factor that is not a parameter, a
range outside a parameter's bounds or an unknown outcome raises
:class:`~experiments.io.errors.InputError` naming the file, the key, what was expected and what
was found, with a "did you mean". The format (see also the shipped ``experiments/*.toml``)::

    description = "..."
    method = "regression"             # stage 1 (default); "sobol" = stage 2; or "morris"
    base = "baseline"                 # a scenario name or path; "defaults" = Params()
    model = "simulation"              # or "package.module:function" (factor dict, seed -> outcome dict)
    outcomes = ["impact", "equity_gap"]
    replications = 1                  # runs per design point, each with its own seed
    levers = "all"                    # "all", group names, or lever ids (range lever_range)
    [overrides]                       # fixed parameters laid over the base
    "governance.rule" = "subsidiarity"
    [factors]                         # any dotted parameter path (a lever id alone works)
    "time.electoral_cycle_months" = { min = 24, max = 96, type = "int" }
    "governance.rule" = { levels = ["macro_led", "subsidiarity"] }
    "funding.budget_scale" = [0.5, 2.0]
    [regression] points, design ("lhs" or "sobol"), emulator_below, emulator_points, by,
                 draws (continuous factors, or "lever_strengths", fixed within a cell and drawn
                 across ``draw_cells`` cells), draw_cells
    [sobol]      n (per scramble, a power of two), scrambles, max_scrambles, second_order, retained,
                 retain_top (how many levers ``--from STAGE1_FOLDER`` retains at most)
    [morris]     trajectories, levels
    [statistics] confidence, correction ("holm" or "bh"), power, resamples
    [pilot]      points, seeds        [execution] chunk_runs

Every run of an experiment has its own seed (``first_seed`` + its run number: pilot first,
then the design in order), so no two runs share a random stream at any design size.
Categorical factors (and booleans) are sampled as a uniform u in [0, 1] mapped to level
``min(floor(u * k), k - 1)``, so each level has probability 1/k (exactly 1/k of a Latin
hypercube whose size is a multiple of k). A Morris grid cannot make every level equally
likely and every contrast, so Morris refuses categorical factors: use ``regression``.
Integer factors map u to ``min(floor(low + u * (high - low + 1)), high)``.
"""

from __future__ import annotations

import importlib
import inspect
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.io.errors import InputError
from experiments.io.scenarios import whole_in
from experiments.sensitivity.factors import Factor, check_overrides, did_you_mean, read_factors, read_outcomes

TOP_KEYS = ("description", "method", "base", "model", "outcomes", "replications", "first_seed",
            "design_seed", "dummy", "levers", "lever_range", "overrides", "factors", "regression",
            "morris", "sobol", "statistics", "pilot", "execution")
SECTION_KEYS: dict[str, dict[str, Any]] = {
    "regression": {"points": 2048, "design": "lhs", "emulator_below": 0.8, "emulator_points": 256,
                   "by": [], "draws": [], "draw_cells": 8},
    "sobol": {"n": 256, "scrambles": 8, "max_scrambles": 64, "second_order": False, "retained": [],
              "retain_top": 8},
    "morris": {"trajectories": 40, "levels": 4},
    "statistics": {"confidence": 0.95, "correction": "holm", "power": 0.8, "resamples": 300},
    "pilot": {"points": 16, "seeds": 8},
    "execution": {"chunk_runs": 200},
}
METHODS = ("regression", "sobol", "morris")
#: The index each method ranks factors by.
KEY_INDEX = {"regression": "SRC", "sobol": "ST", "morris": "mu"}
DUMMY = "dummy"
#: Runs of one design at most (about 2 days on one core at 20 ms a run).
MAX_DESIGN_RUNS = 10_000_000
#: Replications per design point at most.
MAX_REPLICATIONS = 10_000
#: The last seed (first_seed + every run of the largest design) must fit in a signed 64-bit integer.
MAX_FIRST_SEED = 2**63 - 1 - MAX_DESIGN_RUNS * MAX_REPLICATIONS
REST = "other_factors"
#: In ``regression.draws``: the "with" end of every variable the spec's levers move (the
#: lever's strength at full dose), each within its plausible range from simulation.constants.
STRENGTHS = "lever_strengths"


@dataclass(frozen=True)
class Spec:
    """A validated experiment spec (see the module docstring for the file format)."""

    name: str
    path: Path | None
    description: str
    method: str
    base: str
    model: str
    outcomes: tuple[str, ...]
    factors: tuple[Factor, ...]
    overrides: dict[str, Any]
    replications: int
    first_seed: int
    design_seed: int
    dummy: bool
    regression: dict[str, Any] = field(default_factory=dict)
    sobol: dict[str, Any] = field(default_factory=dict)
    morris: dict[str, Any] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)
    pilot: dict[str, Any] = field(default_factory=dict)
    execution: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def all_factors(self) -> tuple[Factor, ...]:
        """The design's factors: the spec's, then the dummy when asked for."""
        if not self.dummy:
            return self.factors
        return self.factors + (Factor(DUMMY, "", "dummy", group=DUMMY),)

    @property
    def is_simulation(self) -> bool:
        return self.model == "simulation"

    @property
    def by(self) -> tuple[Factor, ...]:
        """Structural factors crossed as separate cells (regression only)."""
        names = self.regression.get("by", []) if self.method == "regression" else []
        return tuple(f for f in self.factors if f.name in names)

    @property
    def drawn(self) -> tuple[Factor, ...]:
        """Continuous factors fixed within a cell and drawn across ``draw_cells`` cells
        (regression only): a Latin hypercube over their ranges, one point per cell."""
        if self.method != "regression":
            return ()
        names = set(self.regression.get("draws", []))
        wide = STRENGTHS in names
        return tuple(f for f in self.factors if f.name in names or (wide and f.group == STRENGTHS))

    @property
    def design_factors(self) -> tuple[Factor, ...]:
        """The factors a design point varies (the cells' factors are fixed within a cell)."""
        cells = {f.name for f in self.by + self.drawn}
        return tuple(f for f in self.all_factors if f.name not in cells)

    def problem(self) -> dict[str, Any]:
        """The SALib problem on the unit cube (values mapped by Factor); for Sobol with
        ``retained`` factors, the others (not the dummy) form one group."""
        fs = self.design_factors
        prob: dict[str, Any] = {"num_vars": len(fs), "names": [f.name for f in fs],
                                "bounds": [[0.0, 1.0]] * len(fs)}
        kept = self.sobol.get("retained", [])
        if self.method == "sobol" and kept:
            prob["groups"] = [f.name if f.name in kept or f.name == DUMMY else REST for f in fs]
        return prob


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file; raise InputError naming file, key, expected, found."""
    from experiments.io.scenarios import read_toml

    path = Path(path)
    data = read_toml(path, "spec file")  # a regular file of at most 10 MB, UTF-8 TOML
    return spec_from_dict(data, source=str(path), name=path.stem, path=path)


def spec_from_dict(data: dict[str, Any], *, source: str = "spec", name: str = "spec",
                   path: Path | None = None) -> Spec:
    """Validate a spec given as a dict (as read from TOML)."""
    def bad(key: str, expected: str, found: Any, hint: str = "") -> InputError:
        return InputError(f"{source}: key '{key}': expected {expected}; found {found!r}{hint}")

    for key in data:
        if key not in TOP_KEYS:
            raise InputError(f"{source}: unknown key '{key}'{did_you_mean(key, TOP_KEYS)}; expected one "
                             f"of: {', '.join(TOP_KEYS)}")
    method = data.get("method", "regression")
    if method not in METHODS:
        raise bad("method", "one of " + ", ".join(METHODS), method, did_you_mean(str(method), METHODS))
    model = data.get("model", "simulation")
    if not isinstance(model, str) or (model != "simulation" and ":" not in model):
        raise bad("model", "'simulation' or 'package.module:function'", model)
    if model != "simulation":
        resolve_model(model, source)
    base = data.get("base", "defaults")
    if not isinstance(base, str):
        raise bad("base", "a scenario name or path, or 'defaults'", base)

    sections = {}
    for sec, defaults in SECTION_KEYS.items():
        given = data.get(sec, {})
        if not isinstance(given, dict):
            raise bad(sec, "a table", given)
        for key, value in given.items():
            if key not in defaults:
                raise InputError(f"{source}: unknown key '{sec}.{key}'{did_you_mean(key, list(defaults))}; "
                                 f"expected one of: {', '.join(defaults)}")
            if not _same_kind(value, defaults[key]):
                raise bad(f"{sec}.{key}", f"a {type(defaults[key]).__name__}", value)
        sections[sec] = {**defaults, **given}
    _check_sections(sections, bad)

    ints = {}
    for key, default, low, high in (("replications", 1, 1, MAX_REPLICATIONS),
                                    ("first_seed", 1, 0, MAX_FIRST_SEED), ("design_seed", 2024, 1, 2**32 - 1)):
        value = data.get(key, default)
        if not whole_in(value, low, high):
            raise bad(key, f"an integer from {low} to {high}", value)
        ints[key] = value
    dummy = data.get("dummy", True)
    if not isinstance(dummy, bool):
        raise bad("dummy", "true or false", dummy)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise bad("description", "a string", description)

    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict):
        raise bad("overrides", "a table of dotted parameter keys", overrides)
    if model == "simulation":
        check_overrides(overrides, source)
    factors = read_factors(data, model, source, bad)
    if STRENGTHS in sections["regression"]["draws"] and method == "regression":
        if model != "simulation":
            raise bad("regression.draws", f"'{STRENGTHS}' only for the simulation (a test model names its "
                      "factors)", STRENGTHS)
        factors = factors + strength_factors(factors, data.get("overrides", {}))
    outcomes = read_outcomes(data.get("outcomes"), model, source, bad)
    names = [f.name for f in factors]
    if DUMMY in names or REST in names:
        raise bad("factors", f"names other than '{DUMMY}' and '{REST}' (reserved)", names)
    _check_factor_use(method, factors, sections, bad)
    spec = Spec(name=name, path=path, description=description, method=method, base=base,
                model=model, outcomes=outcomes, factors=factors, overrides=dict(overrides),
                dummy=dummy, raw=data, **ints, **sections)
    check_size(spec, source)
    return spec


def strength_factors(factors: tuple[Factor, ...], overrides: dict[str, Any]) -> tuple[Factor, ...]:
    """The "with" end of each variable the lever factors move, within its plausible range
    (simulation.constants), in group :data:`STRENGTHS`; ends fixed in ``[overrides]`` stay fixed."""
    from simulation.constants import BY_ID, LEVER_ENDS

    out = []
    for f in factors:
        if not f.path.startswith("levers."):
            continue
        for variable, _ in LEVER_ENDS.get(f.name, []):
            c = BY_ID[f"lever_{f.name}_{variable}_with"]
            path = f"constants.{c.id}"
            if path not in overrides and c.runtime and c.low < c.high:
                out.append(Factor(path, path, "float", c.low, c.high, group=STRENGTHS))
    return tuple(out)


def design_runs(spec: Spec) -> int:
    """Runs of the experiment at most (pilot included), counted without building the design:
    regression ``points x replications``; Sobol' ``n (k + 2)`` per scramble, up to
    ``max_scrambles``; Morris ``trajectories (k + 1)``."""
    k = len(spec.all_factors)
    if spec.method == "regression":
        cells = math.prod(len(f.levels) for f in spec.by) if spec.by else int(not spec.drawn)
        points = spec.regression["points"] * (cells + (spec.regression["draw_cells"] if spec.drawn else 0))
    elif spec.method == "sobol":
        points = spec.sobol["n"] * (2 * k + 2 if spec.sobol["second_order"] else k + 2) * spec.sobol["max_scrambles"]
    else:
        points = spec.morris["trajectories"] * (k + 1)
    return points * spec.replications + (spec.pilot["points"] + 1) * spec.pilot["seeds"]


def check_size(spec: Spec, source: str) -> None:
    """Refuse, before anything is allocated, a design over :data:`MAX_DESIGN_RUNS` runs or
    whose tables would take over half of the memory available now; the message gives the
    estimate."""
    from experiments.io.results import available_memory

    runs = design_runs(spec)
    need = runs * (len(spec.all_factors) + len(spec.outcomes) + 6) * 8 * 4  # tables and their copies
    free = available_memory()
    sizes = f"found {runs:,} runs with the pilot, about {need / 2**30:.1f} GiB of tables"
    hint = "; lower the design's size (points, n, scrambles, trajectories) or the replications"
    if runs > MAX_DESIGN_RUNS:
        raise InputError(f"{source}: expected a design of at most {MAX_DESIGN_RUNS:,} runs (about "
                         f"{MAX_DESIGN_RUNS * 0.02 / 86400:.0f} days on one core at 20 ms a run); "
                         f"{sizes}{hint}")
    if free is not None and need > free / 2:
        raise InputError(f"{source}: expected a design whose tables fit in half of the "
                         f"{free / 2**30:.1f} GiB of memory available; {sizes}{hint}")


def _same_kind(value: Any, default: Any) -> bool:
    """True when ``value`` has the type of ``default`` (an int is a float; a bool is neither)."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if isinstance(default, float):
        return isinstance(value, int | float)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def _check_sections(sec: dict[str, dict[str, Any]], bad: Any) -> None:
    g, m, s, st, p, e = (sec[k] for k in ("regression", "morris", "sobol", "statistics", "pilot", "execution"))
    if g["points"] < 16:
        raise bad("regression.points", "an integer >= 16", g["points"])
    if g["design"] not in ("lhs", "sobol"):
        raise bad("regression.design", "'lhs' (Latin hypercube) or 'sobol' (scrambled Sobol')", g["design"])
    if not 0 <= g["emulator_below"] <= 1:
        raise bad("regression.emulator_below", "a share in [0, 1] (0 = never fit an emulator)",
                  g["emulator_below"])
    if g["emulator_points"] < 32:
        raise bad("regression.emulator_points", "an integer >= 32", g["emulator_points"])
    if m["trajectories"] < 3:
        raise bad("morris.trajectories", "an integer >= 3", m["trajectories"])
    if m["levels"] < 2 or m["levels"] % 2:
        raise bad("morris.levels", "an even integer >= 2 (Morris 1991; Campolongo 2007)", m["levels"])
    n = s["n"]
    if n < 4 or n & (n - 1):
        lower = 2 ** max(2, int(math.log2(max(n, 1))))
        raise bad("sobol.n", f"a power of two >= 4 (e.g. {lower} or {lower * 2}), as the Sobol' "
                  "sequence needs", n)
    if s["scrambles"] < 3:
        raise bad("sobol.scrambles", "an integer >= 3 (intervals come from independent scrambles)",
                  s["scrambles"])
    if s["max_scrambles"] < s["scrambles"]:
        raise bad("sobol.max_scrambles", f"an integer >= sobol.scrambles ({s['scrambles']})",
                  s["max_scrambles"])
    if s["retain_top"] < 1:
        raise bad("sobol.retain_top", "an integer >= 1", s["retain_top"])
    if st["resamples"] < 50:
        raise bad("statistics.resamples", "an integer >= 50", st["resamples"])
    if not 0.5 <= st["confidence"] < 1:
        raise bad("statistics.confidence", "a number in [0.5, 1)", st["confidence"])
    if st["correction"] not in ("holm", "bh"):
        raise bad("statistics.correction", "'holm' (family-wise) or 'bh' (false discovery rate)",
                  st["correction"], did_you_mean(str(st["correction"]), ("holm", "bh")))
    if not 0.5 <= st["power"] < 1:
        raise bad("statistics.power", "a number in [0.5, 1)", st["power"])
    if p["points"] < 1 or p["seeds"] < 2:
        raise bad("pilot.seeds" if p["seeds"] < 2 else "pilot.points",
                  "points >= 1 and seeds >= 2", p["seeds"] if p["seeds"] < 2 else p["points"])
    if e["chunk_runs"] < 1:
        raise bad("execution.chunk_runs", "an integer >= 1", e["chunk_runs"])


def _check_factor_use(method: str, factors: tuple[Factor, ...], sec: dict, bad: Any) -> None:
    names = [f.name for f in factors]
    cats = [f.name for f in factors if f.kind == "categorical"]
    if method == "morris" and cats:
        raise bad("method", "'regression' for categorical factors (a Morris grid cannot make every "
                  "level equally likely and every contrast)", f"morris with {', '.join(cats)}")
    g = sec["regression"]
    conts = [f.name for f in factors if f.kind in ("float", "int")]
    for name in g["draws"]:
        if name != STRENGTHS and name not in conts:
            raise bad("regression.draws", f"names of continuous factors in [factors], or '{STRENGTHS}'", name,
                      did_you_mean(name, conts + [STRENGTHS]))
    if g["draws"] and g["draw_cells"] < 2:
        raise bad("regression.draw_cells", "an integer >= 2 (rankings across draws need several)", g["draw_cells"])
    if g["draws"] and len(set(g["draws"]) - {STRENGTHS}) == len(conts) and STRENGTHS not in g["draws"]:
        raise bad("regression.draws", "some continuous factors left to vary within a cell", g["draws"])
    for name in sec["regression"]["by"]:
        if name not in cats:
            raise bad("regression.by", "names of categorical factors in [factors]", name,
                      did_you_mean(name, cats))
    for name in sec["sobol"]["retained"]:
        if name not in names:
            raise bad("sobol.retained", "names of factors of this spec", name, did_you_mean(name, names))


def resolve_model(model: str, source: str) -> Any:
    module, _, func = model.partition(":")
    try:
        fn = getattr(importlib.import_module(module), func)
    except Exception as exc:  # ImportError, AttributeError, or the module failing on import
        raise InputError(f"{source}: key 'model': expected 'simulation' or an importable "
                         f"'package.module:function'; found {model!r} ({type(exc).__name__})") from None
    try:
        inspect.signature(fn).bind({}, 0)
    except (TypeError, ValueError):
        raise InputError(f"{source}: key 'model': expected a function of (values, seed) returning "
                         f"outcomes; found {model!r}, which cannot be called so") from None
    return fn
