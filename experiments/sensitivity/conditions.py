"""Conditional answers as results over their assumed constants (review 9c, findings 1-3).

Three of the model's headline answers hold only for some values of constants that are
assumed, not measured. ``experiments/conditions.toml`` names, for each answer, a grid of
conditions (dotted parameters, each with its values: the grid is their product) and a number
of seeds; every cell runs its arms on the same seeds (common random numbers), and the answer
is reported per cell with its 95% interval:

- ``hump``: impact along ``governance.macro_steering`` at each value of ``steering`` (the
  State's budget held constant). The hump is present in a cell when the best interior point
  (on the cell's mean impact) beats both ends, both paired 95% Student intervals above 0.
  Choosing the interior point on the same seeds favours the hump a little (review 9c).
- ``ceiling``: the budget multiplied by ``budget``: scalings (adoptions elsewhere and national
  recognitions) per local success at the base budget, pooled over the seeds; the successes'
  and the scalings' ratios; and the gap log(success ratio) - log(scaling ratio) with a
  bootstrap interval over the seeds (2,000 resamples; the arms are paired by seed), as
  tests/test_observations.py test_2 computes it. A positive gap: money leaves scalings behind.
- ``imposition``: the full Charter (every Charter lever at 1) imposed minus adopted, on
  impact: the paired mean difference, its interval, the difference relative to the adopted
  impact, and z (mean over its standard error). Issue 9 item 2 asks for at least 10% less, z >= 2.

Seeds are ``first_seed`` + 0 .. ``seeds`` - 1 in every cell. Runs go through the executor's
:func:`~experiments.execution.executor.run_model` and ``run_many``, so the results are the same
on any number of workers and a failed run names its seed and its cell. ``python -m experiments.sensitivity.conditions SPEC --workers 2 --out DIR`` writes
``conditions.json`` and ``conditions.md`` (the tables quoted in docs/ODD.md 1.2, 1.4 and 12).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from experiments.io.errors import InputError
from experiments.io.results import describe
from experiments.io.scenarios import read_toml, whole_in

KINDS = ("hump", "ceiling", "imposition")
KEYS = {"hump": {"seeds", "steering", "grid"}, "ceiling": {"seeds", "budget", "grid"},
        "imposition": {"seeds", "grid"}}
TOP = {"description", "first_seed", *KINDS}
LEVEL = 0.95
RESAMPLES = 2000
MAX_SEEDS = 100_000


def _bad(source: str, key: str, expected: str, found: Any) -> InputError:
    return InputError(f"{source}: key '{key}': expected {expected}; found {found!r}")


def read_spec(path: Path, seeds: int | None = None) -> dict[str, Any]:
    """The validated spec: every parameter of every grid is checked against ``Params`` (its
    range included); ``seeds`` replaces every section's seed count (a quick version)."""
    from simulation import ParameterError, Params

    src = str(path)
    raw = read_toml(Path(path), "conditions spec")
    for key in raw:
        if key not in TOP:
            raise _bad(src, key, "one of " + ", ".join(sorted(TOP)), key)
    first = raw.get("first_seed", 0)
    if not whole_in(first, 0, 2**62):
        raise _bad(src, "first_seed", "a whole number >= 0", first)
    spec: dict[str, Any] = {"description": str(raw.get("description", "")), "first_seed": first}
    if not any(k in raw for k in KINDS):
        raise _bad(src, "(top level)", "at least one of the sections " + ", ".join(KINDS), sorted(raw))
    for kind in KINDS:
        if kind not in raw:
            continue
        sec = raw[kind]
        if not isinstance(sec, dict):
            raise _bad(src, kind, "a table", sec)
        for key in sec:
            if key not in KEYS[kind]:
                raise _bad(src, f"{kind}.{key}", "one of " + ", ".join(sorted(KEYS[kind])), key)
        n = sec.get("seeds", 30) if seeds is None else seeds
        if not whole_in(n, 3, MAX_SEEDS):
            raise _bad(src, f"{kind}.seeds", f"a whole number from 3 to {MAX_SEEDS}", n)
        grid = sec.get("grid", {})
        if not isinstance(grid, dict):
            raise _bad(src, f"{kind}.grid", "a table of dotted parameters, each with a list of values", grid)
        for name, values in grid.items():
            if not isinstance(values, list) or not values:
                raise _bad(src, f"{kind}.grid.{name}", "a non-empty list of values", values)
            for v in values:
                try:
                    Params().with_overrides({name: v}, source=f"{src} [{kind}.grid]")
                except ParameterError as exc:
                    raise InputError(str(exc)) from None
        out = {"seeds": n, "grid": {k: list(v) for k, v in grid.items()}}
        if kind == "hump":
            steering = sec.get("steering", [0.0, 0.25, 0.5, 0.75, 1.0])
            if (not isinstance(steering, list) or len(steering) < 3
                    or not all(isinstance(s, int | float) and not isinstance(s, bool) for s in steering)
                    or list(steering) != sorted(set(steering))):
                raise _bad(src, "hump.steering", "at least three increasing numbers", steering)
            for s in steering:
                try:
                    Params().with_overrides({"governance.macro_steering": s}, source=f"{src} [hump]")
                except ParameterError as exc:
                    raise InputError(str(exc)) from None
            out["steering"] = [float(s) for s in steering]
        if kind == "ceiling":
            factor = sec.get("budget", 2.0)
            if not isinstance(factor, int | float) or isinstance(factor, bool) or factor <= 1.0:
                raise _bad(src, "ceiling.budget", "a number above 1 (the factor on funding.budget_scale)", factor)
            out["budget"] = float(factor)
        spec[kind] = out
    return spec


def cells(grid: dict[str, list]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the first parameter varying slowest."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def _interval(d: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student interval of the paired differences ``d`` (NaN left out)."""
    stat = describe(d)
    return stat["mean"], stat["ci95_low"], stat["ci95_high"]


def _charter() -> dict[str, float]:
    from simulation.levers import CHARTER_IDS

    return {f"levers.{lid}": 1.0 for lid in CHARTER_IDS}


def arms(spec: dict[str, Any]) -> list[tuple[str, int, str, dict[str, Any]]]:
    """Every (section, cell index, arm, overrides) the spec runs, in a fixed order."""
    out = []
    for kind in KINDS:
        if kind not in spec:
            continue
        sec = spec[kind]
        for c, cell in enumerate(cells(sec["grid"])):
            if kind == "hump":
                for s in sec["steering"]:
                    out.append((kind, c, f"{s:g}", {**cell, "governance.macro_steering": s}))
            elif kind == "ceiling":
                budget = cell.get("funding.budget_scale", 1.0)
                out.append((kind, c, "base", cell))
                out.append((kind, c, "rich", {**cell, "funding.budget_scale": budget * sec["budget"]}))
            else:
                full = {**_charter(), **cell}
                out.append((kind, c, "adopted", {**full, "governance.charter": "voluntary"}))
                out.append((kind, c, "imposed", {**full, "governance.charter": "imposed"}))
    return out


def scalings(r: dict[str, float]) -> float:
    """Adoptions elsewhere and national recognitions of a run: a count (tests/test_mechanisms.py)."""
    return r["scaling_rate"] * r["local_successes"] if r["local_successes"] else 0.0


def hump_cell(runs: dict[str, list[dict]], steering: list[float]) -> dict[str, Any]:
    impact = {s: np.array([r["impact"] for r in runs[f"{s:g}"]]) for s in steering}
    means = {s: float(v.mean()) for s, v in impact.items()}
    lo_end, hi_end = steering[0], steering[-1]
    best = max(steering[1:-1], key=lambda s: means[s])
    left = _interval(impact[best] - impact[lo_end])
    right = _interval(impact[best] - impact[hi_end])
    slope = _interval(impact[hi_end] - impact[lo_end])
    hump = left[1] > 0 and right[1] > 0
    shape = ("hump" if hump else "rises" if slope[1] > 0 else "falls" if slope[2] < 0 else "flat")
    return {"means": {f"{s:g}": means[s] for s in steering}, "peak": max(steering, key=lambda s: means[s]),
            "best_interior": best, "best_minus_low_end": left, "best_minus_high_end": right,
            "high_minus_low_end": slope, "hump": hump, "shape": shape}


def ceiling_cell(runs: dict[str, list[dict]]) -> dict[str, Any]:
    base, rich = runs["base"], runs["rich"]
    s0 = np.array([r["local_successes"] for r in base])
    s1 = np.array([r["local_successes"] for r in rich])
    k0 = np.array([scalings(r) for r in base])
    k1 = np.array([scalings(r) for r in rich])

    def gap(j):
        return math.log(s1[j].sum() / s0[j].sum()) - math.log(k1[j].sum() / k0[j].sum())

    rng = np.random.default_rng(0)
    boot = []
    for _ in range(RESAMPLES):
        j = rng.integers(0, len(base), len(base))
        if k0[j].sum() > 0 and k1[j].sum() > 0 and s0[j].sum() > 0:
            boot.append(gap(j))
    whole = gap(slice(None)) if min(k0.sum(), k1.sum(), s0.sum()) > 0 else math.nan
    lo, hi = np.percentile(boot, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2]) if boot else (math.nan,) * 2
    def ratio(a, b):
        return float(a.sum() / b.sum()) if b.sum() > 0 else math.nan

    return {"scalings_per_success": ratio(k0, s0), "rich_scalings_per_success": ratio(k1, s1),
            "successes_ratio": ratio(s1, s0), "scalings_ratio": ratio(k1, k0),
            "gap": (whole, float(lo), float(hi)), "money_lags": bool(lo > 0)}  # NaN > 0 is False


def imposition_cell(runs: dict[str, list[dict]]) -> dict[str, Any]:
    a = np.array([r["impact"] for r in runs["adopted"]])
    b = np.array([r["impact"] for r in runs["imposed"]])
    d = b - a
    m, lo, hi = _interval(d)
    se = float(d.std(ddof=1) / math.sqrt(len(d)))
    return {"adopted": float(a.mean()), "imposed": float(b.mean()), "difference": (m, lo, hi),
            "relative": m / float(a.mean()), "z": -m / se if se > 0 else math.inf,
            "item2_met": bool(m <= -0.10 * float(a.mean()) and -m / se >= 2.0)}




def run_conditions(spec: dict[str, Any], workers: int | None = 1, progress: bool = False) -> dict[str, Any]:
    """Run every arm of every cell on its seeds and analyse each cell."""
    from experiments.execution.executor import run_many, run_model
    from simulation import Params

    plan = arms(spec)
    tasks = []
    for kind, _, _, over in plan:
        params = Params().with_overrides(over).model_dump()  # validated by read_spec
        tasks += [{"params": params, "seed": spec["first_seed"] + s, "series": False, "varied": over}
                  for s in range(spec[kind]["seeds"])]
    results = [r["summary"] for r in run_many(run_model, tasks, workers=workers, progress=progress,
                                              desc="conditions")]
    out: dict[str, Any] = {"description": spec["description"], "first_seed": spec["first_seed"],
                           "runs": len(tasks)}
    at = 0
    grouped: dict[tuple[str, int], dict[str, list]] = {}
    for kind, c, arm, _ in plan:
        n = spec[kind]["seeds"]
        grouped.setdefault((kind, c), {})[arm] = results[at:at + n]
        at += n
    for kind in KINDS:
        if kind not in spec:
            continue
        rows = []
        for c, cell in enumerate(cells(spec[kind]["grid"])):
            runs = grouped[(kind, c)]
            res = (hump_cell(runs, spec[kind]["steering"]) if kind == "hump"
                   else ceiling_cell(runs) if kind == "ceiling" else imposition_cell(runs))
            rows.append({"cell": cell, **res})
        out[kind] = {"seeds": spec[kind]["seeds"], "cells": rows}
    return out


def _iv(t, f="+.2f") -> str:
    return f"{t[0]:{f}} [{t[1]:{f}}, {t[2]:{f}}]"


def _head(sec: dict[str, Any]) -> tuple[str, str]:
    """The grid's columns: one per parameter (its last dotted part)."""
    names = [k.split(".")[-1] for k in sec["cells"][0]["cell"]] or ["cell"]
    return " | ".join(f"`{n}`" for n in names), "---|" * len(names)


def _cell_text(cell: dict[str, Any]) -> str:
    return " | ".join(f"`{v}`" if isinstance(v, str) else f"{v:g}" for v in cell.values()) or "defaults"


def markdown(result: dict[str, Any]) -> str:
    """The tables, one per section."""
    first = result["first_seed"]
    lines = []
    if "hump" in result:
        sec = result["hump"]
        steering = list(sec["cells"][0]["means"])
        lines += [f"Hump along macro_steering: impact at steering {', '.join(steering)}; {sec['seeds']} paired "
                  f"seeds ({first}-{first + sec['seeds'] - 1}), 95% intervals; best interior point minus each end.",
                  "", f"| {_head(sec)[0]} | impact at s = {', '.join(steering)} | best − {steering[0]} | "
                  f"best − {steering[-1]} | shape |", f"|{_head(sec)[1]}---|---|---|---|"]
        for r in sec["cells"]:
            means = ", ".join(f"{v:.2f}" for v in r["means"].values())
            lines.append(f"| {_cell_text(r['cell'])} | {means} | {_iv(r['best_minus_low_end'])} | "
                         f"{_iv(r['best_minus_high_end'])} | {'**hump**' if r['hump'] else r['shape']} "
                         f"(peak {r['peak']:g}) |")
        n = sum(r["hump"] for r in sec["cells"])
        lines += ["", f"Hump present in {n} of {len(sec['cells'])} cells.", ""]
    if "ceiling" in result:
        sec = result["ceiling"]
        lines += [f"Glass ceiling under more money; {sec['seeds']} paired seeds ({first}-{first + sec['seeds'] - 1}); "
                  "gap = log(success ratio) − log(scaling ratio), 95% bootstrap interval.",
                  "", f"| {_head(sec)[0]} | scalings per success | successes × | scalings × | gap |",
                  f"|{_head(sec)[1]}---|---|---|---|"]
        for r in sec["cells"]:
            lines.append(f"| {_cell_text(r['cell'])} | {r['scalings_per_success']:.2f} | {r['successes_ratio']:.2f} | "
                         f"{r['scalings_ratio']:.2f} | {_iv(r['gap'])} |")
        lines.append("")
    if "imposition" in result:
        sec = result["imposition"]
        lines += [f"Full Charter imposed minus adopted, impact; {sec['seeds']} paired seeds "
                  f"({first}-{first + sec['seeds'] - 1}), 95% intervals.",
                  "", f"| {_head(sec)[0]} | adopted | imposed − adopted | relative | z | item 2 (≥ 10%, z ≥ 2) |",
                  f"|{_head(sec)[1]}---|---|---|---|---|"]
        for r in sec["cells"]:
            lines.append(f"| {_cell_text(r['cell'])} | {r['adopted']:.2f} | {_iv(r['difference'])} | "
                         f"{100 * r['relative']:+.1f}% | {r['z']:.1f} | {'met' if r['item2_met'] else 'not met'} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.sensitivity.conditions",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", help="conditions spec, e.g. experiments/conditions.toml")
    parser.add_argument("--workers", type=int, default=1, help="local processes (default 1)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per cell in every section (a quick version)")
    parser.add_argument("--out", default=None, help="folder for conditions.json and conditions.md")
    args = parser.parse_args(argv)
    try:
        spec = read_spec(Path(args.spec), args.seeds)
        result = run_conditions(spec, workers=args.workers, progress=sys.stderr.isatty())
    except InputError as exc:
        print(f"conditions: error: {exc}", file=sys.stderr)
        return 2
    text = markdown(result)
    print(text)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "conditions.json").write_text(json.dumps(result, indent=1, default=float) + "\n")
        (out / "conditions.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
