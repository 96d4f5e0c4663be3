"""Sensitivity experiment specs: TOML files that name the factors, the method and the noise plan.

A spec is validated like a scenario: an unknown key, a factor that is not a parameter, a
range outside a parameter's bounds or an unknown outcome raises
:class:`~experiments.io.errors.InputError` naming the file, the key, what was expected and what
was found, with a "did you mean". The format (see also the shipped ``experiments/*.toml``)::

    description = "..."
    method = "morris"                 # or "sobol"
    base = "baseline"                 # a scenario name or path; "defaults" = Params()
    outcomes = ["impact", "equity_gap"]
    replications = "auto"             # or an integer; "auto" = chosen by the pilot
    levers = "all"                    # "all", group names, or lever ids (range lever_range)
    [overrides]                       # fixed parameters laid over the base
    "governance.rule" = "subsidiarity"
    [factors]                         # any dotted parameter path (a lever id alone works)
    "time.electoral_cycle_months" = { min = 24, max = 96, type = "int" }
    "governance.rule" = { levels = ["macro_led", "subsidiarity"] }
    "funding.budget_scale" = [0.5, 2.0]
    [morris]  trajectories, levels
    [sobol]   n (a power of two), second_order, groups, top_pairs
    [bootstrap] resamples, confidence   [pilot] points, seeds, target   [execution] chunk_runs

Categorical factors (and booleans) are sampled as a uniform u in [0, 1] and mapped to level
``min(floor(u * k), k - 1)``: every level has the same probability in a Sobol design; on a
Morris grid of p levels some categories may be unreachable, which the loader reports.
Integer factors map u to ``min(floor(low + u * (high - low + 1)), high)`` (a uniform over
the integers).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.io.errors import InputError

TOP_KEYS = ("description", "method", "base", "model", "outcomes", "replications",
            "max_replications", "first_seed", "design_seed", "dummy", "levers", "lever_range",
            "overrides", "factors", "morris", "sobol", "bootstrap", "pilot", "execution")
SECTION_KEYS = {
    "morris": {"trajectories": 20, "levels": 6},
    "sobol": {"n": 128, "second_order": True, "groups": True, "top_pairs": 10},
    "bootstrap": {"resamples": 300, "confidence": 0.95},
    "pilot": {"points": 16, "seeds": 8, "target": 0.10},
    "execution": {"chunk_runs": 200},
}
METHODS = ("morris", "sobol")
DUMMY = "dummy"
DUMMY_BLOCKS = 1024
#: Runs of one design at most (about 2 days on one core at 20 ms a run).
MAX_DESIGN_RUNS = 10_000_000
#: Replications per design point at most (the pilot's noise target is met far below).
MAX_REPLICATIONS = 10_000
#: The last seed, first_seed + (DUMMY_BLOCKS + 1) * replications, must fit in a signed 64-bit integer.
MAX_FIRST_SEED = 2**63 - 1 - (DUMMY_BLOCKS + 1) * MAX_REPLICATIONS


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Factor:
    """One input of the design: a name (lever id or dotted path), the parameter it sets
    (empty for the dummy), its kind and its range or levels, and its group."""

    name: str
    path: str
    kind: str  # "float" | "int" | "categorical" | "dummy"
    low: float = 0.0
    high: float = 1.0
    levels: tuple = ()
    group: str = "structure"

    def value(self, u: float) -> Any:
        """The parameter value at unit coordinate ``u`` in [0, 1]."""
        if self.kind == "categorical":
            k = len(self.levels)
            return self.levels[min(int(math.floor(u * k)), k - 1)]
        if self.kind == "int":
            lo, hi = int(self.low), int(self.high)
            return min(int(math.floor(lo + u * (hi - lo + 1))), hi)
        return self.low + u * (self.high - self.low)

    def describe(self) -> str:
        if self.kind == "categorical":
            return "levels " + ", ".join(str(v) for v in self.levels) + " (uniform u mapped to a level)"
        if self.kind == "dummy":
            return "dummy: never read by the model; selects the seed block"
        return f"{self.kind} in [{self.low:g}, {self.high:g}]"


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
    replications: int | str
    max_replications: int
    first_seed: int
    design_seed: int
    dummy: bool
    morris: dict[str, Any] = field(default_factory=dict)
    sobol: dict[str, Any] = field(default_factory=dict)
    bootstrap: dict[str, Any] = field(default_factory=dict)
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

    def design_points(self) -> int:
        """Rows of the SALib design, counted without building it (Morris: ``T (k + 1)``;
        Sobol: ``n (2k + 2)`` or ``n (k + 2)``, plus ``n (g + 2)`` for g > 1 groups)."""
        k = len(self.all_factors)
        if self.method == "morris":
            return self.morris["trajectories"] * (k + 1)
        n = self.sobol["n"]
        points = n * (2 * k + 2 if self.sobol["second_order"] else k + 2)
        groups = len({f.group for f in self.all_factors})
        if self.sobol["groups"] and groups > 1:
            points += n * (groups + 2)
        return points

    def problem(self, groups: bool = False) -> dict[str, Any]:
        """The SALib problem: every factor on the unit interval (values mapped by Factor)."""
        fs = self.all_factors
        prob: dict[str, Any] = {"num_vars": len(fs), "names": [f.name for f in fs],
                                "bounds": [[0.0, 1.0]] * len(fs)}
        if groups:
            prob["groups"] = [f.group for f in fs]
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
    method = data.get("method")
    if method not in METHODS:
        raise bad("method", "one of " + ", ".join(METHODS), method,
                  did_you_mean(str(method), METHODS))
    model = data.get("model", "simulation")
    if not isinstance(model, str) or (model != "simulation" and ":" not in model):
        raise bad("model", "'simulation' or 'module:function'", model)
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

    reps = data.get("replications", "auto")
    if not (reps == "auto" or (isinstance(reps, int) and not isinstance(reps, bool) and reps >= 1)):
        raise bad("replications", "an integer >= 1 or \"auto\"", reps)
    if reps != "auto" and reps > MAX_REPLICATIONS:
        raise bad("replications", f"an integer from 1 to {MAX_REPLICATIONS} or \"auto\"", reps)
    ints = {}
    for key, default, low, high in (("max_replications", 10, 1, MAX_REPLICATIONS),
                                    ("first_seed", 1, 0, MAX_FIRST_SEED), ("design_seed", 2024, 1, 2**32 - 1)):
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise bad(key, f"an integer from {low} to {high}", value)
        ints[key] = value
    dummy = data.get("dummy", True)
    if not isinstance(dummy, bool):
        raise bad("dummy", "true or false", dummy)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise bad("description", "a string", description)

    from experiments.sensitivity.factors import check_overrides, read_factors, read_outcomes

    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict):
        raise bad("overrides", "a table of dotted parameter keys", overrides)
    if model == "simulation":
        check_overrides(overrides, source)
    factors = read_factors(data, model, source, bad)
    outcomes = read_outcomes(data.get("outcomes"), model, source, bad)
    names = [f.name for f in factors]
    if DUMMY in names:
        raise bad(f"factors.{DUMMY}", "a name other than 'dummy' (reserved for the noise floor)", DUMMY)
    spec = Spec(name=name, path=path, description=description, method=method, base=base,
                model=model, outcomes=outcomes, factors=factors, overrides=dict(overrides),
                replications=reps, dummy=dummy, raw=data, **ints, **sections)
    check_size(spec, source)
    return spec


def check_size(spec: Spec, source: str) -> None:
    """Refuse, before anything is allocated, a design over :data:`MAX_DESIGN_RUNS` runs or
    whose tables would take over half of the memory available now; the message gives the
    estimate."""
    points = spec.design_points()
    reps = spec.replications if spec.replications != "auto" else spec.max_replications
    runs = points * reps + (spec.pilot["points"] + 1) * spec.pilot["seeds"]
    k = len(spec.all_factors)
    need = runs * (k + len(spec.outcomes) + 6) * 8 * 4  # run table, outcomes and their copies
    free = _available_memory()
    sizes = (f"found {points:,} design points x {reps} replications = {runs:,} runs with the pilot, "
             f"about {need / 2**30:.1f} GiB of tables")
    hint = "; lower morris.trajectories or sobol.n, or the replications"
    if runs > MAX_DESIGN_RUNS:
        raise InputError(f"{source}: expected a design of at most {MAX_DESIGN_RUNS:,} runs (about "
                         f"{MAX_DESIGN_RUNS * 0.02 / 86400:.0f} days on one core at 20 ms a run); "
                         f"{sizes}{hint}")
    if free is not None and need > free / 2:
        raise InputError(f"{source}: expected a design whose tables fit in half of the "
                         f"{free / 2**30:.1f} GiB of memory available; {sizes}{hint}")


def _available_memory() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # psutil comes with dask.distributed; without it, only the run cap holds
        return None


def _same_kind(value: Any, default: Any) -> bool:
    """True when ``value`` has the type of ``default`` (an int is a float; a bool is neither)."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def _check_sections(sec: dict[str, dict[str, Any]], bad: Any) -> None:
    m, s, b, p, e = (sec[k] for k in ("morris", "sobol", "bootstrap", "pilot", "execution"))
    if m["trajectories"] < 2:
        raise bad("morris.trajectories", "an integer >= 2", m["trajectories"])
    if m["levels"] < 2 or m["levels"] % 2 or m["levels"] > 1000:
        raise bad("morris.levels", "an even integer from 2 to 1000 (Morris 1991; Campolongo 2007)", m["levels"])
    n = s["n"]
    if n < 4 or n & (n - 1):
        lower = 2 ** max(2, int(math.log2(max(n, 1))))
        raise bad("sobol.n", f"a power of two >= 4 (e.g. {lower} or {lower * 2}), as the Sobol' "
                  "sequence needs", n)
    if not 0 <= s["top_pairs"] <= 1000:
        raise bad("sobol.top_pairs", "an integer from 0 to 1000", s["top_pairs"])
    if not 20 <= b["resamples"] <= 100_000:
        raise bad("bootstrap.resamples", "an integer from 20 to 100000", b["resamples"])
    if not 0.5 <= b["confidence"] < 1:
        raise bad("bootstrap.confidence", "a number in [0.5, 1)", b["confidence"])
    if not 1 <= p["points"] <= 10_000 or not 2 <= p["seeds"] <= 1000:  # the pilot compares >= 2 points
        raise bad("pilot.seeds" if not 2 <= p["seeds"] <= 1000 else "pilot.points",
                  "points from 1 to 10000 and seeds from 2 to 1000",
                  p["seeds"] if not 2 <= p["seeds"] <= 1000 else p["points"])
    if not 0 < p["target"] < 1:
        raise bad("pilot.target", "a share in (0, 1)", p["target"])
    if e["chunk_runs"] < 1:
        raise bad("execution.chunk_runs", "an integer >= 1", e["chunk_runs"])


def resolve_model(model: str, source: str) -> Any:
    module, _, func = model.partition(":")
    try:
        fn = getattr(importlib.import_module(module), func)
    except Exception as exc:  # ImportError, AttributeError, or the module failing on import
        raise InputError(f"{source}: key 'model': expected 'simulation' or an importable "
                         f"'module:function'; found {model!r} ({type(exc).__name__})") from None
    try:
        inspect.signature(fn).bind({}, 0)
    except (TypeError, ValueError):
        raise InputError(f"{source}: key 'model': expected a function of (values, seed) returning "
                         f"outcomes; found {model!r}, which cannot be called so") from None
    return fn
