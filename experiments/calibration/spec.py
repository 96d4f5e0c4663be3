"""Calibration specs: which parameters to infer, within which ranges, against which figures.

A spec is a TOML file validated like a sensitivity spec: an unknown key, a parameter path that
:class:`simulation.Params` does not know, a range outside a parameter's bounds, an unknown
outcome or a band that does not contain its figure raises
:class:`~experiments.io.errors.InputError`, one line naming the file, the key, what was
expected and what was found. The format (see ``experiments/calibration.toml``)::

    description = "..."
    base = "defaults"                  # a scenario name or path; "defaults" = Params()
    model = "simulation"               # or "module:function(values, seed) -> dict" (tests)
    replications = 2                   # seeds per parameter set; its patterns are their mean
    first_seed = 1000                  # seeds of the simulations start here
    [overrides]                        # fixed parameters laid over the base
    [parameters]                       # uniform prior ranges, by dotted parameter path
    "funding.budget_scale" = [0.5, 2.0]
    "funding.max_failures" = { min = 2, max = 8, type = "int" }
    [targets.application_success_rate] # an outcome key of the model
    figure = 0.24                      # the observed figure the distance aims at
    band = [0.16, 0.415]               # the range counted as "in band" by the check
    role = "fitted"                    # "fitted": in the distance; "validation": out of the
                                       # fit and informative; "excluded": not comparable, the
                                       # model lacks the channel (a `note` must say which;
                                       # a validation target's, whether it carries evidence)
    source = "..."
    note = "..."
    [abc]     population, generations, quantile, batch, min_acceptance, max_simulations, seed,
              final_generations, final_replications (the last generations' patterns are the
              mean over that many seeds: less seed noise where the tolerance is tight; 0: as
              the others), refresh (blocks of fresh seeds re-weighting the last population;
              0: none, the shipped setting)
    [check]   draws (posterior predictive draws), level (width of the predictive interval),
              replications (seeds per draw; 0: those of the last generation)
    [quick]   any of population, generations, batch, max_simulations, draws, replications,
              refresh, final_replications

The roles are frozen in the spec before a run; the spec is copied into the results folder and
the git commit into its provenance.json. An older spec's ``fit = true / false`` still reads
(false: "validation").

``--quick`` lays the ``[quick]`` table over the others: the same model and targets, fewer
simulations (a check that the pipeline runs, not a calibration).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from experiments.io.errors import InputError
from experiments.sensitivity.spec import Factor, did_you_mean

from .smc import Settings

TOP_KEYS = ("description", "base", "model", "replications", "first_seed", "overrides",
            "parameters", "targets", "abc", "check", "quick")
TARGET_KEYS = ("figure", "band", "role", "fit", "source", "note")
ROLES = ("fitted", "validation", "excluded")
ABC_KEYS = {"population": 200, "generations": 6, "quantile": 0.5, "batch": 200,
            "min_acceptance": 0.02, "max_simulations": 50_000, "seed": 2026, "refresh": 0,
            "final_generations": 0, "final_replications": 0}
CHECK_KEYS = {"draws": 100, "level": 0.9, "replications": 0}
QUICK_KEYS = ("population", "generations", "batch", "max_simulations", "draws", "replications", "refresh",
              "final_replications")


@dataclass(frozen=True)
class Target:
    """An observed figure the model's outcome ``key`` is compared with."""

    key: str
    figure: float
    low: float
    high: float
    role: str
    source: str
    note: str = ""

    @property
    def fit(self) -> bool:
        return self.role == "fitted"

    def in_band(self, x: Any) -> Any:
        return (x >= self.low) & (x <= self.high)


@dataclass(frozen=True)
class CalibrationSpec:
    name: str
    path: Path | None
    description: str
    base: str
    model: str
    replications: int
    first_seed: int
    overrides: dict[str, Any]
    parameters: tuple[Factor, ...]
    targets: tuple[Target, ...]
    abc: Settings
    draws: int
    level: float
    quick: dict[str, int]
    raw: dict[str, Any]
    check_replications: int = 0

    def replications_at(self, t: int) -> int:
        """Seeds per parameter set in generation ``t``; ``t % 100`` = 97 is the re-weighting on
        fresh seeds (as the last generation), 98 and 99 the checks (run.py)."""
        last = self.abc.final_replications or self.replications
        if t % 100 == 97:
            return last
        if t % 100 >= 98:
            return self.check_replications or last
        return last if t >= self.abc.generations - self.abc.final_generations else self.replications

    @property
    def is_simulation(self) -> bool:
        return self.model == "simulation"

    @property
    def fitted(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.fit)

    @property
    def held_out(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if not t.fit)

    def quick_version(self) -> CalibrationSpec:
        """The spec with its ``[quick]`` sizes laid over the others; the last generations and
        the check take the quick ``final_replications`` (default: as the others)."""
        q = self.quick
        abc = replace(self.abc, **{k: v for k, v in q.items() if k in ABC_KEYS},
                      final_replications=q.get("final_replications", 0))
        return replace(self, abc=abc, draws=q.get("draws", self.draws),
                       replications=q.get("replications", self.replications), check_replications=0)


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read and validate a calibration spec; raise InputError naming file, key, expected, found."""
    from experiments.io.scenarios import read_toml

    path = Path(path)
    data = read_toml(path, "calibration spec")  # a regular file of at most 10 MB, UTF-8 TOML
    return calibration_from_dict(data, source=str(path), name=path.stem, path=path)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def calibration_from_dict(data: dict[str, Any], *, source: str = "spec", name: str = "calibration",
                          path: Path | None = None) -> CalibrationSpec:
    """Validate a calibration spec given as a dict (as read from TOML)."""
    def bad(key: str, expected: str, found: Any, hint: str = "") -> InputError:
        return InputError(f"{source}: key '{key}': expected {expected}; found {found!r}{hint}")

    for key in data:
        if key not in TOP_KEYS:
            raise InputError(f"{source}: unknown key '{key}'{did_you_mean(key, TOP_KEYS)}; expected one "
                             f"of: {', '.join(TOP_KEYS)}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise bad("description", "a string", description)
    model = data.get("model", "simulation")
    if not isinstance(model, str) or (model != "simulation" and ":" not in model):
        raise bad("model", "'simulation' or 'module:function'", model)
    if model != "simulation":
        from experiments.sensitivity.spec import resolve_model

        resolve_model(model, source)
    base = data.get("base", "defaults")
    if not isinstance(base, str):
        raise bad("base", "a scenario name or path, or 'defaults'", base)
    from experiments.io.scenarios import whole_in

    reps = data.get("replications", 2)
    if not whole_in(reps, 1, 100):
        raise bad("replications", "an integer from 1 to 100", reps)
    first_seed = data.get("first_seed", 1000)
    if not whole_in(first_seed, 0, 2**62):
        raise bad("first_seed", f"an integer from 0 to {2**62}", first_seed)

    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict):
        raise bad("overrides", "a table of dotted parameter keys", overrides)
    from experiments.sensitivity.factors import check_overrides, read_factors

    if model == "simulation":
        check_overrides(overrides, source)
    table = data.get("parameters")
    if not isinstance(table, dict) or not table:
        raise bad("parameters", "a table of at least one parameter = [min, max]", table)
    for key, desc in table.items():
        if isinstance(desc, dict) and "levels" in desc:
            raise bad(f"parameters.{key}", "a numeric range [min, max] (categories cannot be "
                      "inferred by this method)", desc)
    factors = read_factors({"factors": table, "overrides": overrides}, model, source,
                           lambda k, *a, **kw: bad(k.replace("factors", "parameters", 1), *a, **kw))

    targets = _read_targets(data.get("targets"), model, source, bad)
    abc = _section(data, "abc", ABC_KEYS, source, bad)
    check = _section(data, "check", CHECK_KEYS, source, bad)
    _check_sizes(abc, check, bad)
    quick = data.get("quick", {})
    if not isinstance(quick, dict):
        raise bad("quick", "a table", quick)
    for key, value in quick.items():
        if key not in QUICK_KEYS:
            raise InputError(f"{source}: unknown key 'quick.{key}'{did_you_mean(key, QUICK_KEYS)}; "
                             f"expected one of: {', '.join(QUICK_KEYS)}")
        if not _is_int(value) or value < 1:
            raise bad(f"quick.{key}", "an integer >= 1", value)
    _check_sizes({**abc, **{k: v for k, v in quick.items() if k in ABC_KEYS}},
                 {**check, **{k: v for k, v in quick.items() if k == "draws"}},
                 lambda k, *a: bad(f"quick.{k.split('.')[-1]}", *a))
    return CalibrationSpec(name=name, path=path, description=description, base=base, model=model,
                           replications=reps, first_seed=first_seed, overrides=dict(overrides),
                           parameters=factors, targets=targets, abc=Settings(**abc),
                           draws=check["draws"], level=check["level"], quick=dict(quick), raw=data,
                           check_replications=check["replications"])


def _section(data: dict, sec: str, defaults: dict, source: str, bad: Any) -> dict:
    given = data.get(sec, {})
    if not isinstance(given, dict):
        raise bad(sec, "a table", given)
    for key, value in given.items():
        if key not in defaults:
            raise InputError(f"{source}: unknown key '{sec}.{key}'{did_you_mean(key, list(defaults))}; "
                             f"expected one of: {', '.join(defaults)}")
        want_int = isinstance(defaults[key], int)
        if (want_int and not _is_int(value)) or (not want_int and not _is_number(value)):
            raise bad(f"{sec}.{key}", "an integer" if want_int else "a number", value)
    return {**defaults, **given}


def _check_sizes(abc: dict, check: dict, bad: Any) -> None:
    if abc["population"] < 5:
        raise bad("abc.population", "an integer >= 5", abc["population"])
    if not 1 <= abc["generations"] <= 96:
        raise bad("abc.generations", "an integer from 1 to 96", abc["generations"])
    if not 0 < abc["quantile"] < 1:
        raise bad("abc.quantile", "a share in (0, 1)", abc["quantile"])
    if not 1 <= abc["batch"] <= 100_000:
        raise bad("abc.batch", "an integer from 1 to 100000", abc["batch"])
    if not 0 <= abc["min_acceptance"] < 1:
        raise bad("abc.min_acceptance", "a share in [0, 1)", abc["min_acceptance"])
    if abc["max_simulations"] < abc["population"]:
        raise bad("abc.max_simulations", f"an integer >= abc.population ({abc['population']})",
                  abc["max_simulations"])
    if not 0 <= abc["refresh"] <= 100:
        raise bad("abc.refresh", "an integer from 0 to 100 (blocks of fresh seeds; 0: none)", abc["refresh"])
    if abc["seed"] < 0:
        raise bad("abc.seed", "an integer >= 0", abc["seed"])
    if not 0 <= abc["final_generations"] <= abc["generations"]:
        raise bad("abc.final_generations", f"an integer from 0 to abc.generations ({abc['generations']})",
                  abc["final_generations"])
    for key in ("abc.final_replications", "check.replications"):
        sec, k = key.split(".")
        value = (abc if sec == "abc" else check).get(k, 0)
        if not 0 <= value <= 100:
            raise bad(key, "an integer from 0 to 100 (seeds per parameter set; 0: as the others)", value)
    if check["draws"] < 2:
        raise bad("check.draws", "an integer >= 2", check["draws"])
    if not 0.5 <= check["level"] < 1:
        raise bad("check.level", "a share in [0.5, 1)", check["level"])


def _read_targets(table: Any, model: str, source: str, bad: Any) -> tuple[Target, ...]:
    if not isinstance(table, dict) or not table:
        raise bad("targets", "a table of [targets.OUTCOME] sections", table)
    if model == "simulation":
        from simulation import OUTCOME_KEYS
    out = []
    for key, desc in table.items():
        where = f"targets.{key}"
        if model == "simulation" and key not in OUTCOME_KEYS:
            raise bad("targets", "outcome keys of the model (alliance run lists them)", key,
                      did_you_mean(key, OUTCOME_KEYS))
        if not isinstance(desc, dict):
            raise bad(where, "a table with figure and band", desc)
        for k in desc:
            if k not in TARGET_KEYS:
                raise bad(where, "keys among " + ", ".join(TARGET_KEYS), k, did_you_mean(k, TARGET_KEYS))
        figure = desc.get("figure")
        if not _is_number(figure):
            raise bad(f"{where}.figure", "a number", figure)
        band = desc.get("band")
        if (not isinstance(band, list) or len(band) != 2 or not all(_is_number(v) for v in band)
                or not band[0] < band[1]):
            raise bad(f"{where}.band", "[low, high] with low < high", band)
        if not band[0] <= figure <= band[1]:
            raise bad(f"{where}.band", f"a band containing the figure {figure}", band)
        if "role" in desc and "fit" in desc:
            raise bad(where, "one of 'role' and the older 'fit'", "both")
        if "fit" in desc:  # an older spec (a results folder's copy): false was "held out"
            if not isinstance(desc["fit"], bool):
                raise bad(f"{where}.fit", "true or false", desc["fit"])
            role = "fitted" if desc["fit"] else "validation"
        else:
            role = desc.get("role", "fitted")
            if role not in ROLES:
                raise bad(f"{where}.role", "one of " + ", ".join(f"'{r}'" for r in ROLES), role)
        if role != "fitted" and "fit" not in desc and not desc.get("note"):
            raise bad(f"{where}.note", "for an excluded target, a note saying which channel the model lacks; "
                      "for a validation target, whether it carries evidence", desc.get("note"))
        src = desc.get("source", "")
        note = desc.get("note", "")
        if not isinstance(src, str) or not isinstance(note, str):
            which, val = ("source", src) if not isinstance(src, str) else ("note", note)
            raise bad(f"{where}.{which}", "a string", val)
        out.append(Target(key, float(figure), float(band[0]), float(band[1]), role, src, note))
    if not any(t.fit for t in out):
        raise bad("targets", "at least one target with role = 'fitted'", [t.key for t in out])
    return tuple(out)
