"""Factors, outcomes and fixed overrides of a sensitivity spec, checked against the model.

Lever factors are derived from :data:`simulation.LEVERS` (the only list of levers); any
other factor is a dotted parameter path checked by :meth:`simulation.Params.with_overrides`,
so a misspelt path gets the parameter structure's own "did you mean".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from experiments.io.errors import InputError
from simulation.params import did_you_mean  # noqa: F401 - the spec modules take it from here

FACTOR_KEYS = ("min", "max", "type", "levels", "group")


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
            return "dummy: never read by the model (a check: its effect must not be detected)"
        return f"{self.kind} in [{self.low:g}, {self.high:g}]"


def check_overrides(overrides: dict[str, Any], source: str) -> None:
    """Every fixed override must be a known parameter with a valid value."""
    from simulation import ParameterError, Params

    try:
        Params().with_overrides(overrides, source=f"{source} [overrides]")
    except ParameterError as exc:
        raise InputError(str(exc)) from None


def _default_at(path: str) -> Any:
    from simulation import Params

    node: Any = Params().model_dump()
    for part in path.split("."):
        node = node[part]
    return node


def read_outcomes(value: Any, model: str, source: str, bad: Callable[..., InputError]
                  ) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise bad("outcomes", "a non-empty list of outcome keys", value)
    if len(set(value)) != len(value):
        raise bad("outcomes", "each outcome once", value)
    if model == "simulation":
        from simulation import OUTCOME_KEYS

        for key in value:
            if key not in OUTCOME_KEYS:
                raise bad("outcomes", "outcome keys among: " + ", ".join(OUTCOME_KEYS), key,
                          did_you_mean(key, OUTCOME_KEYS))
    return tuple(value)


def _lever_factors(data: dict[str, Any], source: str, bad: Callable[..., InputError]) -> list[Factor]:
    from simulation import LEVERS

    chosen = data.get("levers")
    if chosen is None:
        return []
    rng = data.get("lever_range", [0.0, 1.0])
    if (not isinstance(rng, list) or len(rng) != 2 or not all(isinstance(v, int | float) for v in rng)
            or not 0 <= rng[0] < rng[1] <= 1):
        raise bad("lever_range", "[low, high] with 0 <= low < high <= 1", rng)
    groups = sorted({lv.group for lv in LEVERS})
    ids = [lv.id for lv in LEVERS]
    if chosen == "all":
        picked = list(LEVERS)
    elif isinstance(chosen, list) and all(isinstance(v, str) for v in chosen):
        picked = []
        for word in chosen:
            if word in groups:
                picked += [lv for lv in LEVERS if lv.group == word]
            elif word in ids:
                picked += [lv for lv in LEVERS if lv.id == word]
            else:
                raise bad("levers", "'all', group names (" + ", ".join(groups) + ") or lever ids",
                          word, did_you_mean(word, groups + ids))
    else:
        raise bad("levers", "'all' or a list of group names and lever ids", chosen)
    seen: set[str] = set()
    out = []
    for lv in picked:
        if lv.id not in seen:
            seen.add(lv.id)
            out.append(Factor(lv.id, f"levers.{lv.id}", "float", float(rng[0]), float(rng[1]),
                              group=lv.group))
    return out


def read_factors(data: dict[str, Any], model: str, source: str, bad: Callable[..., InputError]
                 ) -> tuple[Factor, ...]:
    """The spec's factors in file order: levers first, then the ``[factors]`` table."""
    table = data.get("factors", {})
    if not isinstance(table, dict):
        raise bad("factors", "a table of factor = range", table)
    sim = model == "simulation"
    if not sim and "levers" in data:
        raise bad("levers", "no 'levers' key for a test model (name its factors in [factors])", data["levers"])
    factors = _lever_factors(data, source, bad) if sim else []
    if sim:
        from simulation import LEVER_IDS
    for name, desc in table.items():
        key = f"factors.{name}"
        path = f"levers.{name}" if sim and "." not in name and name in LEVER_IDS else name
        if isinstance(desc, list):
            desc = {"min": desc[0], "max": desc[1]} if len(desc) == 2 else {"bad": desc}
        if not isinstance(desc, dict):
            raise bad(key, "[min, max], {min, max, type} or {levels = [...]}", desc)
        for k in desc:
            if k not in FACTOR_KEYS:
                raise bad(key, "keys among " + ", ".join(FACTOR_KEYS), k, did_you_mean(k, FACTOR_KEYS))
        group = desc.get("group", "structure")
        if sim and path.startswith("levers."):
            from simulation import LEVERS

            group = desc.get("group", next(lv.group for lv in LEVERS if lv.id == path[7:]))
        if "levels" in desc:
            levels = desc["levels"]
            if not isinstance(levels, list) or len(levels) < 2 or len(set(map(repr, levels))) != len(levels):
                raise bad(key + ".levels", "a list of at least two distinct values", levels)
            factor = Factor(name, path, "categorical", levels=tuple(levels), group=group)
            probe = list(levels)
        else:
            lo, hi = desc.get("min"), desc.get("max")
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi)) or not lo < hi:
                raise bad(key, "min < max (numbers), or levels = [...]", desc)
            kind = desc.get("type")
            if kind is None:
                kind = "int" if sim and isinstance(_default_or_none(path), int) and not isinstance(
                    _default_or_none(path), bool) else "float"
            if kind not in ("float", "int"):
                raise bad(key + ".type", "'float' or 'int'", kind, did_you_mean(str(kind), ("float", "int")))
            if kind == "int" and not (float(lo).is_integer() and float(hi).is_integer()):
                raise bad(key, "integer min and max for an integer factor", desc)
            factor = Factor(name, path, kind, float(lo), float(hi), group=group)
            probe = [int(lo), int(hi)] if kind == "int" else [float(lo), float(hi)]
        if sim:
            _check_path(path, probe, data.get("overrides", {}), source, key)
        factors.append(factor)
    names = [f.name for f in factors]
    paths = [f.path for f in factors]
    for i, p in enumerate(paths):
        if p in paths[:i]:
            raise bad(f"factors.{names[i]}", "each parameter varied once", f"{p} already a factor")
    if not factors:
        raise bad("factors", "at least one factor (in [factors] or levers)", {})
    return tuple(factors)


def _default_or_none(path: str) -> Any:
    try:
        return _default_at(path)
    except (KeyError, TypeError):
        return None


def _check_path(path: str, probe: list, overrides: dict[str, Any], source: str, key: str) -> None:
    from simulation import ParameterError, Params

    if path in overrides:
        raise InputError(f"{source}: key '{key}': expected a parameter not fixed in [overrides]; "
                         f"found '{path}' in both")
    for value in probe:
        try:
            Params().with_overrides({path: value}, source=f"{source} [{key}]")
        except ParameterError as exc:
            raise InputError(str(exc)) from None
