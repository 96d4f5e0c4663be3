"""The experimentation the law would run, simulated as its evaluators would see it.

The proposed law « d'expérimentation d'un droit d'alliance d'intérêt général » (seed, Charter,
« Contribution à l'évolution du cadre législatif ») would let a share of territories adopt
the right, staggered over years, while the others do not. Evaluators observe each
territory's remaining need once a year, nothing of the model's internals, and estimate the
effect by difference in differences with the territories as units (:mod:`.did`).

How the panel is built from the model. For each seed the model runs once without adoption
(the control world) and once per adoption year g, switching to the treatment's levers at
the start of year g (:func:`simulation.territories.yearly_needs`). A territory of cohort g
is observed in world g, a territory that never adopts in the control world; evaluation
samples of N territories are drawn without replacement from the pool of (seed, territory)
pairs. This assumes no spillover between adopters and non-adopters (in world g every
territory adopts, so neighbours' and the national level's responses to adoption are those
of a full adoption): the power is that of a design whose units do not interact. The bias
spillovers would cause is not measured: the kernels read one set of lever coefficients for
every territory, so a world where only some territories adopt cannot be run yet. Its likely
direction (the report says it in the section): adopters taking national grants from
controls (funders rank every territory's applications together) pushes the estimate away
from zero; successes spreading to neighbouring controls (scaling) pushes it towards zero.

:func:`partial_uptake` gives the treatment taken up in part (each lever part of the way
from the control's dose): the best case (uptake 1) against smaller doses.

The model's predicted effect is the same aggregation computed on the whole pool with both
potential outcomes known (each territory in world g minus itself in the control world).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from . import did
from .did import Z_975


@dataclass(frozen=True)
class Design:
    """What the simulated experimentation varies. ``first``: first adoption year (years
    count from 0, the model's start); ``spread``: adoption years (cohorts); ``share``:
    territories that adopt; ``years``: longest panel; ``sizes``/``horizons``: the grid of
    territories and panel lengths of the power curve; ``draws``: evaluation samples per
    cell; ``noise``: evaluators' measurement error on each yearly observation, a normal SD
    given as a share of the standard deviation of remaining need between territories in the
    control world's last year (0: the true need is observed)."""

    share: float = 0.5
    first: int = 2
    spread: int = 3
    years: int = 10
    sizes: tuple[int, ...] = (20, 40, 80, 160, 320, 640)
    horizons: tuple[int, ...] = (5, 7, 10)
    draws: int = 200
    noise: float = 0.0  # measurement error: SD as a share of the control's spread between territories

    @property
    def cohorts(self) -> list[int]:
        return list(range(self.first, self.first + self.spread))


def world_task(task: dict[str, Any]) -> np.ndarray:
    """One world's yearly needs per territory (what the executors map)."""
    from experiments.execution.compiled import ensure_fresh_cache
    from simulation import Params
    from simulation.territories import yearly_needs

    ensure_fresh_cache()
    params = Params.from_dict(task["params"], source="experiment-design")
    adopt = Params.from_dict(task["adopt"], source="experiment-design") if task.get("adopt") else None
    return yearly_needs(params, task["years"], adopt=adopt, adopt_year=task.get("adopt_year"))


def world_tasks(control: dict, treated: dict, seeds: list[int], design: Design) -> list[dict]:
    """Per seed: the control world, then one world per cohort (adoption year)."""
    tasks = []
    for seed in seeds:
        c = {**control, "run": {**control["run"], "seed": seed}}
        t = {**treated, "run": {**treated["run"], "seed": seed}}
        tasks.append({"params": c, "years": design.years})
        tasks += [{"params": c, "adopt": t, "adopt_year": g, "years": design.years}
                  for g in design.cohorts]
    return tasks


def pool(worlds: list[np.ndarray], seeds: int, design: Design) -> np.ndarray:
    """The worlds as one array ``(1 + spread, years, seeds * territories)``: index 0 is the
    control world, index k the world adopting in year ``first + k - 1``."""
    per = 1 + design.spread
    stacked = [np.stack(worlds[s * per:(s + 1) * per]) for s in range(seeds)]
    return np.concatenate(stacked, axis=2)


def observed(pool_: np.ndarray, units: np.ndarray, cohort: np.ndarray, years: int,
             design: Design) -> np.ndarray:
    """What evaluators see: each unit's need in its cohort's world (the control world when it
    never adopts or adopts after the panel ends), first ``years`` years."""
    world = np.where((cohort == did.NEVER) | (cohort >= years), 0, cohort - design.first + 1)
    return pool_[world, :years, units].reshape(len(units), years)


def predicted_effect(pool_: np.ndarray, years: int, design: Design) -> float:
    """The aggregation of :mod:`.did` with both potential outcomes known, over the pool."""
    groups = [g for g in design.cohorts if g < years]
    if not groups:
        return 0.0
    w = np.array([years - g for g in groups], dtype=float)
    w /= w.sum()
    effects = [(pool_[g - design.first + 1, g:years] - pool_[0, g:years]).mean() for g in groups]
    return float(np.dot(w, effects))


def power_table(pool_: np.ndarray, design: Design, seed: int) -> list[dict[str, Any]]:
    """For each panel length and number of territories: the share of ``draws`` evaluation
    samples whose estimate is significant at 5% (two-sided) with the model's sign, with its
    Monte Carlo 95% interval (normal approximation, clipped to [0, 1]), the mean estimate
    and the predicted effect. Samples are drawn without replacement from the pool of
    simulated territories; a size larger than the pool is left out (no territory counts
    twice), and so is one too small for 2 territories per cohort and 2 controls."""
    rng = np.random.default_rng(seed)
    units_total = pool_.shape[2]
    error_sd = design.noise * float(pool_[0, design.years - 1].std(ddof=1)) if design.noise > 0 else 0.0
    rows = []
    for years in design.horizons:
        truth = predicted_effect(pool_, years, design)
        for n in design.sizes:
            treated = int(round(design.share * n))
            if n > units_total or treated < 2 * design.spread or n - treated < 2:
                continue  # no territory twice; at least 2 per cohort and 2 controls
            hits = 0
            estimates = []
            for _ in range(design.draws):
                units = rng.choice(units_total, n, replace=False)
                cohort = did.staggered_cohorts(n, design.share, design.first, design.spread, rng)
                seen = observed(pool_, units, cohort, years, design)
                if error_sd > 0:  # what an indicator adds to the true need, year by year
                    seen = seen + rng.normal(0.0, error_sd, seen.shape)
                est = did.estimate(seen, cohort)
                estimates.append(est.att)
                hits += est.significant and np.sign(est.att) == np.sign(truth)
            power = hits / design.draws
            half = Z_975 * math.sqrt(power * (1 - power) / design.draws)
            rows.append({"years": years, "territories": n, "power": power,
                         "power_low": max(0.0, power - half), "power_high": min(1.0, power + half),
                         "mean_estimate": float(np.mean(estimates)), "predicted_effect": truth,
                         "draws": design.draws, "measurement_noise": design.noise})
    return rows


def needed(rows: list[dict[str, Any]], target: float = 0.8) -> dict[int, int | None]:
    """Per panel length, the fewest territories of the grid reaching ``target`` power."""
    out: dict[int, int | None] = {}
    for r in rows:
        out.setdefault(r["years"], None)
        if r["power"] >= target and out[r["years"]] is None:
            out[r["years"]] = r["territories"]
    return out


def check_treatment(control: dict, treated: dict) -> None:
    """The treatment may differ from the control only in levers: the adoption switches the
    kernels' coefficients mid-run, and only the levers act through them alone."""
    from experiments.execution.executor import flat_diff
    from experiments.io.errors import InputError

    other = sorted(k for k in flat_diff(control, treated) if not k.startswith("levers.")
                   and k != "run.seed")
    if other:
        raise InputError(f"experiment-design: --treatment: expected a scenario that differs from the "
                         f"control in levers only; found {', '.join(other)}")
    if not any(k.startswith("levers.") for k in flat_diff(control, treated)):
        raise InputError("experiment-design: --treatment: expected a scenario that changes at least one "
                         "lever; found the control's levers")


def partial_uptake(control: dict, treated: dict, uptake: float) -> dict:
    """The treatment taken up in part: each lever the treatment moves set ``uptake`` of the
    way from the control's dose to the treatment's (1: the whole treatment; 0.5: every
    adopting territory practises each lever half as far). ``treated`` is not changed."""
    from experiments.execution.executor import flat_diff

    out = copy.deepcopy(treated)
    for key in flat_diff(control, treated):
        if key.startswith("levers."):
            lever = key.split(".", 1)[1]
            a, b = control["levers"][lever], treated["levers"][lever]
            out["levers"][lever] = float(a + uptake * (b - a))
    return out


def simulate(control: dict, treated: dict, seeds: list[int], design: Design, runs: Any,
             draws_seed: int = 0, noise_check: float = 0.0) -> dict[str, Any]:
    """The whole experimentation: the worlds (through ``runs(fn, tasks)``, which may read a
    cache), the power table, the territories needed per panel length and the predicted
    effect with its spread over seeds."""
    check_treatment(control, treated)
    worlds = runs(world_task, world_tasks(control, treated, seeds, design))
    pool_ = pool(worlds, len(seeds), design)
    rows = power_table(pool_, design, draws_seed)
    noisy = (power_table(pool_, replace(design, noise=noise_check), draws_seed) if noise_check > 0
             else [])  # the same worlds seen through an indicator with error
    per_seed = [predicted_effect(pool(worlds[k * (1 + design.spread):(k + 1) * (1 + design.spread)],
                                      1, design), design.years, design) for k in range(len(seeds))]
    return {"rows": rows, "needed": needed(rows), "noisy_rows": noisy, "noisy_needed": needed(noisy),
            "predicted_effect": predicted_effect(pool_, design.years, design),
            "control_need": float(pool_[0, design.years - 1].mean()), "pool": int(pool_.shape[2]),
            "predicted_by_seed": per_seed, "territories_per_world": pool_.shape[2] // len(seeds),
            "seeds": seeds, "design": design}


# --------------------------------------------------------------------------------------
# Power under the effect's uncertainty
# --------------------------------------------------------------------------------------

def strength_draws(control: dict, treated: dict, k: int, seed: int) -> list[dict[str, float]]:
    """``k`` draws of the strengths of the levers the treatment changes: each variable such a
    lever moves gets its full-dose end (``constants.lever_<lever>_<variable>_with``) drawn
    uniformly within its plausible range (simulation/constants.py); the end without the
    lever keeps its value. Returned as dotted overrides."""
    from experiments.execution.executor import flat_diff
    from simulation.constants import BY_ID, LEVER_ENDS

    levers = sorted(k_.split(".", 1)[1] for k_ in flat_diff(control, treated) if k_.startswith("levers."))
    ids = [f"lever_{lv}_{var}_with" for lv in levers for var, _ in LEVER_ENDS.get(lv, [])]
    rng = np.random.default_rng([seed, 11])
    return [{f"constants.{cid}": float(rng.uniform(BY_ID[cid].low, BY_ID[cid].high)) for cid in ids}
            for _ in range(k)]


def posterior_draws(folder: Any, k: int, seed: int) -> list[dict[str, float]]:
    """``k`` parameter sets drawn by weight from a calibration's posterior (``alliance
    calibrate``'s folder, read by :func:`experiments.calibration.posterior.load`)."""
    from experiments.calibration.posterior import load

    post = load(folder)
    rng = np.random.default_rng([seed, 13])
    rows = rng.choice(len(post.weights), size=k, p=post.weights)
    return [{path: (int(round(float(post.values[path].iloc[r]))) if kind == "int" else float(post.values[path].iloc[r]))
             for path, kind in zip(post.paths, post.kinds, strict=True)} for r in rows]


def simulate_uncertain(control: dict, treated: dict, draws: list[dict[str, Any]], seeds: list[int],
                       design: Design, runs: Any, draws_seed: int = 0) -> dict[str, Any]:
    """The experimentation once per draw of uncertain parameters (each laid on both the
    control and the treatment: a draw is a property of the world), ``seeds`` worlds each.

    Returns per draw the predicted effect over the longest panel and the territories needed
    for 80% power at each panel length, and the *assurance*: each cell's power averaged over
    the draws (the chance a design of that size detects the effect when the effect itself is
    uncertain; O'Hagan, Stevens and Campbell 2005, doi:10.1002/pst.175)."""
    from simulation.params import set_dotted

    per_draw = []
    rows = []
    for i, over in enumerate(draws):
        c, t = copy.deepcopy(control), copy.deepcopy(treated)
        for key, value in over.items():
            set_dotted(c, key, value, "experiment-design")
            set_dotted(t, key, value, "experiment-design")
        r = simulate(c, t, seeds, design, runs, draws_seed=draws_seed + i)
        per_draw.append({"draw": i, "predicted_effect": r["predicted_effect"],
                         **{f"needed_{y}_years": n for y, n in r["needed"].items()}, **over})
        rows += [{**row, "draw": i} for row in r["rows"]]
    assurance = [] if not rows else (pd.DataFrame(rows).groupby(["years", "territories"], as_index=False)["power"]
                                     .mean().rename(columns={"power": "assurance"}).to_dict("records"))
    return {"draws": per_draw, "assurance": assurance, "needed": needed(
        [{"years": a["years"], "territories": a["territories"], "power": a["assurance"]} for a in assurance]),
        "seeds": seeds, "design": design}
