"""The report's sections: each runs its block of model runs (through the cache), then
returns its tables, figures and text. Every number in a table is recomputed from the runs'
outputs on each build, so a table matches a fresh recomputation by construction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.io.figures import outcome_label
from experiments.io.results import fdr, paired_p  # noqa: F401 (tests and the cli import them here too)
from simulation.params import REGIMES, RULES

from . import outputs as out
from .design import Design


@dataclass(frozen=True)
class Config:
    """How big the report's experiments are. ``territories`` None keeps each scenario's."""

    reps: int
    months: int
    territories: int | None
    seed: int = 1
    scenarios: tuple[str, ...] = ("baseline", "charter_adopted", "imposed_charter", "pooled_fund",
                                  "multi_year_grants")
    maps: tuple[tuple[str, tuple, str, tuple], ...] = (
        ("time.electoral_cycle_months", (36, 72, 108), "time.project_duration_months", (12, 36, 60)),
        ("funding.application_cost", (0.1, 0.5, 1.5), "funding.budget_scale", (0.5, 1.0, 2.0)),
        ("governance.rule", RULES, "funding.regime", REGIMES),
    )
    map_reps: int = 4
    map_outcome: str = "impact"
    treatment: str = "charter_adopted"
    uptakes: tuple[float, ...] = (0.5, 0.25)  # partial uptake of the treatment's levers (1 is the design)
    measurement_noise: float = 0.5  # evaluators' error, a share of the between-territory SD (power redone)
    design: Design = field(default_factory=Design)
    design_seeds: int = 8
    uncertainty_draws: int = 8  # draws of the lever strengths (and posterior) for the power
    uncertainty_seeds: int = 4  # worlds per draw
    prim_points: int = 1000
    horizon_reps: int = 10
    horizon_outcome: str = "impact"
    levers: tuple[str, ...] | None = None  # None: every lever of the registry


#: Seeds reserved for the paper's figures (docs/ODD.md 1.5): the full report draws its seeds
#: from here and no test may use them (tests/helpers.py ``outcomes`` refuses them), so a figure
#: is never measured on the seeds its mechanism was tuned or tested on.
HELD_OUT = range(1000, 2000)


def held_out(n: int) -> range:
    """The first ``n`` seeds of the held-out block."""
    if not 0 < n <= len(HELD_OUT):
        raise ValueError(f"held-out seeds: expected 1 to {len(HELD_OUT)}; found {n}")
    return HELD_OUT[:n]


QUICK = Config(reps=3, months=24, territories=10, map_reps=2, design_seeds=4, prim_points=24,
               uncertainty_draws=2, uncertainty_seeds=2,
               horizon_reps=2, levers=("dialogue", "mutual_trust", "legal_framework"),
               design=Design(years=5, horizons=(4, 5), sizes=(12, 20, 40), draws=40),
               maps=(("time.electoral_cycle_months", (36, 72), "time.project_duration_months", (12, 36)),
                     ("funding.application_cost", (0.1, 1.5), "funding.budget_scale", (0.5, 2.0)),
                     ("governance.rule", ("macro_led", "subsidiarity"),
                      "funding.regime", ("competitive_calls", "pooled_fund"))))
FULL = Config(reps=30, months=120, territories=None, map_reps=10, design_seeds=16, uncertainty_seeds=8,
              seed=HELD_OUT.start)  # every block reads seeds seed .. seed + n - 1, n <= 1000: all held out

#: Outcomes shown in the comparison and the discovery.
KEY_OUTCOMES = ("impact", "equity_gap", "alliances_formed", "alliance_survival", "engagement",
                "scaling_rate", "abandonment_rate", "admin_burden", "trust_micro_macro")


@dataclass
class Section:
    """One section of the report: a title (French / English), paragraphs (HTML-safe text),
    tables by name (with caption) and figures by name (with caption)."""

    key: str
    title: str
    text: list[str] = field(default_factory=list)
    tables: dict[str, tuple[pd.DataFrame, str]] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)


Runs = Callable[..., list[Any]]  # runs(fn, tasks, name=None): outputs, through the cache


def base_params(scenario: str, cfg: Config) -> dict:
    """A scenario's parameters at the report's size (months, territories, first seed)."""
    from experiments.io import scenarios as scn

    over: dict[str, Any] = {"run.months": cfg.months, "run.seed": cfg.seed}
    params = scn.load(scenario).params
    if cfg.territories is not None and not params.territories.records:
        over["territories.count"] = cfg.territories
    return params.with_overrides(over, source="report").model_dump()


def with_seed(params: dict, seed: int, **dotted: Any) -> dict:
    """A new parameter dict (``params`` is not changed, nor shared) with the seed and the
    dotted keys set."""
    import copy

    from simulation.params import set_dotted

    p = copy.deepcopy(params)
    p["run"]["seed"] = seed
    for key, value in dotted.items():
        set_dotted(p, key, value, "report")
    return p


def seeds_of(cfg: Config, n: int | None = None) -> list[int]:
    """The first ``n`` seeds from ``cfg.seed``; in the full report, the held-out block's."""
    if cfg.seed == HELD_OUT.start:
        return list(held_out(n or cfg.reps))
    return [cfg.seed + i for i in range(n or cfg.reps)]


# --------------------------------------------------------------------------------------
# Model in one page
# --------------------------------------------------------------------------------------

LIFE_CYCLE = (("Initiative\n(besoin / need)", "emergence"),
              ("Recherche de partenaires\nPartner search", "partner_search"),
              ("Accord\nAgreement", "governance"),
              ("Financement\nFunding", "funding"),
              ("Action\n(impact sur les besoins)", "action"),
              ("Réussite, essaimage\nSuccess, scaling", "scaling"))


def model_page(folder: Path) -> Section:
    from experiments.io.figures import new_figure
    from simulation.submodels import ORDER

    fig = new_figure(10, 2.6, layout=None)
    ax = fig.add_axes((0.01, 0.05, 0.98, 0.9))
    ax.set_axis_off()
    ax.set_xlim(0, len(LIFE_CYCLE))
    ax.set_ylim(0, 1)
    boxes = []
    for k, (label, sub) in enumerate(LIFE_CYCLE):
        boxes.append(ax.text(k + 0.45, 0.62, label, ha="center", va="center", fontsize=8,
                             bbox={"boxstyle": "round", "fc": "#e8f0fa", "ec": "#336"}))
        ax.text(k + 0.45, 0.36, f"submodel: {sub}", ha="center", fontsize=7, color="#555")
    arrow = {"arrowstyle": "->", "color": "#336", "shrinkA": 2, "shrinkB": 2}
    for a, b in zip(boxes, boxes[1:], strict=False):  # from the right edge of a box to the left edge of the next
        ax.annotate("", xy=(0, 0.5), xycoords=b, xytext=(1, 0.5), textcoords=a, arrowprops=arrow)
    abandon = ax.text(len(LIFE_CYCLE) / 2, 0.05, "Abandon : délai, perte de soutien, élections / abandonment: "
                      "delay, lost support, elections", ha="center", fontsize=7, color="#933")
    for j, k in enumerate((3, 4)):  # a formed alliance is abandoned waiting for money, or while it acts
        ax.annotate("", xy=(0.6 + 0.3 * j, 1), xycoords=abandon, xytext=(0.5, 0), textcoords=boxes[k],
                    arrowprops={**arrow, "color": "#933", "ls": ":"})
    out.save_figure(fig, folder, "life_cycle")
    s = Section("model", "Le modèle en une page / The model in one page")
    s.text = [
        "Un modèle multi-agents (Mesa 3, noyaux numba) de la co-construction micro/macro dans les "
        "territoires : acteurs (État, fondations, entreprises, associations, élus), initiatives "
        "nées des besoins des territoires, alliances qui se forment, se financent, agissent et "
        "essaiment. / An agent-based model of micro/macro co-construction in territories: actors "
        "(State, foundations, firms, associations, officials), initiatives born of territories' "
        "needs, alliances that form, are funded, act and scale.",
        "Each month runs the submodels in this order (docs/ODD.md, section 3): " + ", ".join(ORDER) + ".",
        "Full description: docs/ODD.md (ODD protocol, Grimm et al. 2020, with ODD+D).",
    ]
    s.figures["life_cycle"] = ("Cycle de vie d'une initiative / An initiative's life cycle "
                               "(submodels of docs/ODD.md)")
    return s


# --------------------------------------------------------------------------------------
# Scenario comparison (paired over common seeds, FDR across outcomes)
# --------------------------------------------------------------------------------------

def comparison(folder: Path, cfg: Config, runs: Runs) -> tuple[Section, dict[str, list[dict]]]:
    from experiments.execution.executor import run_model
    from experiments.io import results as res

    seeds = seeds_of(cfg)
    tasks = [{"params": with_seed(base_params(s, cfg), seed), "series": False,
              "territories": s == cfg.scenarios[0]} for s in cfg.scenarios for seed in seeds]
    outs = runs(run_model, tasks, "comparison")
    n = len(seeds)
    per = {s: outs[k * n:(k + 1) * n] for k, s in enumerate(cfg.scenarios)}
    sums = {s: [o["summary"] for o in per[s]] for s in cfg.scenarios}
    ref = cfg.scenarios[0]
    rows = []
    for s in cfg.scenarios[1:]:
        diffs = res.paired_differences(sums[ref], sums[s])
        ps = [paired_p(diffs[k]) for k in KEY_OUTCOMES]
        qs = fdr(ps)
        for k, p, q in zip(KEY_OUTCOMES, ps, qs, strict=True):
            d = diffs[k]
            rows.append({"scenario": s, "outcome": k, "unit": d["unit"],
                         "reference_mean": _nanmean([x[k] for x in sums[ref]]),
                         "scenario_mean": _nanmean([x[k] for x in sums[s]]),
                         "difference": _num(d["mean"]), "ci95_low": _num(d["ci95_low"]),
                         "ci95_high": _num(d["ci95_high"]), "pairs": d["n"], "p_value": p, "q_value_bh": q})
    table = pd.DataFrame(rows)
    _difference_figure(folder, table, ref, n)
    sec = Section("comparison", "Comparaison des scénarios / Scenario comparison")
    sec.text = [f"Each scenario ran {n} replications on the common seeds {seeds[0]}-{seeds[-1]} "
                f"({cfg.months} months). Differences are paired over seeds (scenario minus "
                f"'{out.scenario_label(ref, 'en')}', {ref}) with "
                "95% Student t intervals; p-values of the paired t test are adjusted across the "
                f"{len(KEY_OUTCOMES)} outcomes of each scenario by Benjamini-Hochberg (q-values; an outcome "
                "equal in both scenarios in every seed is not tested). alliance compare adjusts across all its "
                "outcomes, so its q-values are larger. p- and q-values are a screening flag, printed down to "
                "< 0.001: in a simulation they mostly reflect how many runs were made (White et al. 2014); "
                "the effect and its interval are the result.",
                "An outcome with nothing to average in a run (survival when no alliance ended, scaling rate "
                "when no initiative succeeded, equity gap when the mean impact is not positive...) is undefined "
                "(NaN), not 0: a seed where it is undefined in either scenario gives no pair ('pairs' counts "
                "the others), means are over the runs where it is defined, and an outcome with fewer than 2 "
                "pairs has no interval and is left out of the q-value family (shown as n/a).",
                "Impact is in need units, the model's own: one unit is the whole of one need dimension of one "
                "territory, not euros nor beneficiaries; compare scenarios, not absolute values. Impact, needs and "
                "the lever strengths are not calibrated (docs/calibration.md fits funding and partnership patterns "
                "only): the levers' effects are the modellers' assumptions within plausible ranges.",
                "The equity gap is a ratio to the mean impact: where the mean impact is small it swings widely from "
                "seed to seed (docs/ODD.md, section 12: mostly seed noise at the baseline); read its interval, not "
                "its sign.",
                "docs/ODD.md quotes figures measured on its own seed blocks when it was written (e.g. the "
                "Charter's impact ratio); the numbers to cite are this report's, on the seeds and commit given here.",
                f"To rebuild one contrast outside the report: alliance compare {ref} SCENARIO --seed {seeds[0]} "
                f"--reps {n} --months {cfg.months}"
                + (f" --set territories.count={cfg.territories}" if cfg.territories is not None else "") + "."]
    if cfg.months < 60:
        sec.text.append(f"Horizon: {cfg.months} months is shorter than or close to several mechanisms' own time "
                        "(projects of 36 months, 3-year grants in multi_year_grants, mandates of 72 months): outcomes "
                        "that need a project to end (survival, successes, scaling) may be undefined or cannot move; "
                        "'no difference' here is not a finding.")
    sec.tables["comparison"] = (table, f"Différences appariées avec « {out.scenario_label(ref, 'fr')} » / Paired "
                                f"differences against '{out.scenario_label(ref, 'en')}', 95% CI, p and BH q (family: "
                                f"the {len(KEY_OUTCOMES)} outcomes of one scenario)")
    sec.figures["paired_differences"] = (f"Différences appariées avec « {out.scenario_label(ref, 'fr')} » / Paired "
                                         f"differences against '{out.scenario_label(ref, 'en')}': mean and 95% CI "
                                         f"over {n} common seeds")
    return sec, per


def _num(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _nanmean(values: Sequence[float]) -> float:
    """The mean over the runs where an outcome is defined (NaN when it is in none)."""
    v = np.asarray(values, dtype=float)
    return float(v[~np.isnan(v)].mean()) if (~np.isnan(v)).any() else math.nan


def _difference_figure(folder: Path, table: pd.DataFrame, ref: str, n: int) -> None:
    from experiments.io.figures import new_figure, set_limits

    scen = list(dict.fromkeys(table["scenario"]))
    fig = new_figure(12, 7.5, layout="constrained")
    axes = fig.subplots(3, 3).ravel()
    for ax, key in zip(axes, KEY_OUTCOMES, strict=False):
        part = table[table["outcome"] == key].set_index("scenario").loc[scen]
        ys = np.arange(len(scen))
        lo = part["ci95_low"].to_numpy(float)
        hi = part["ci95_high"].to_numpy(float)
        mean = part["difference"].to_numpy(float)
        ax.errorbar(mean, ys, xerr=[mean - lo, hi - mean], fmt="o", color="#224", capsize=3)
        for y in ys[~np.isfinite(lo)]:  # undefined in too many seeds: no interval to draw
            ax.text(0, y, " n/a", va="center", fontsize=7, color="#933")
        ax.axvline(0, color="#999", lw=1)
        set_limits(ax, np.r_[lo, hi, mean], out.outcome_unit(key), difference=True, axis="x")
        ax.tick_params(axis="x", labelsize=7)
        ax.set_yticks(ys, [out.scenario_label(x, "fr") + "\n" + out.scenario_label(x, "en") for x in scen],
                      fontsize=6)
        ax.set_title(outcome_label(key, "fr") + "\n" + outcome_label(key, "en"), fontsize=8)
        ax.set_xlabel(f"scénario - réf. / scenario - ref. ({out.outcome_unit(key)})", fontsize=7)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Différences appariées avec « {out.scenario_label(ref, 'fr')} » : moyenne et IC 95 %, {n} graines "
                 f"communes\nPaired differences against '{out.scenario_label(ref, 'en')}': mean and 95% CI, {n} "
                 "common seeds; n/a: undefined in too many seeds", fontsize=9)
    out.save_figure(fig, folder, "paired_differences")


# --------------------------------------------------------------------------------------
# Territories
# --------------------------------------------------------------------------------------

def territories(folder: Path, cfg: Config, baseline_outs: list[dict]) -> Section:
    from experiments.io.figures import new_figure

    from .territories import territory_table

    seeds = seeds_of(cfg)
    table = territory_table([o["territories"] for o in baseline_outs], seeds)
    # impact per unit of initial need: the quantity the equity gap compares between thirds
    table["impact_per_need"] = table["impact"] / table["need_before"].clip(lower=1e-9)
    table["fragility_third"] = table.groupby("rep")["fragility"].transform(
        lambda f: pd.qcut(f.rank(method="first"), 3, labels=["low", "middle", "high"]))
    by = (table.groupby("fragility_third", observed=True)
          [["fragility", "need_before", "need_after", "impact", "impact_per_need", "alliance_seats"]].mean().reset_index())
    fig = new_figure(6, 4)
    ax = fig.add_subplot()
    ax.scatter(table["fragility"], table["impact_per_need"], s=10, alpha=0.6, color="#246")
    ax.set_xlim(0, 1)
    ax.set_ylim(*out.honest_limits(table["impact_per_need"], "ratio"))
    ax.set_xlabel("Fragilité / Fragility (0-1)")
    ax.set_ylabel("Impact par unité de besoin initial /\nImpact per unit of initial need (ratio)")
    ax.grid(alpha=0.3)
    out.save_figure(fig, folder, "territories")
    sec = Section("territories", "Résultats par territoire / Outcomes per territory")
    sec.text = [f"Baseline, {len(seeds)} replications: each point is a territory of one replication. "
                "Needs keep growing (submodel needs), so need_after can exceed need_before; impact is "
                "the need alliances removed. alliance run writes the same columns to territories.csv."]
    sec.tables["territories_by_fragility"] = (by, "Mean outcomes per fragility third (baseline)")
    sec.figures["territories"] = ("Impact par unité de besoin initial selon la fragilité / Impact per unit of "
                                  "initial need by fragility")
    return sec


# --------------------------------------------------------------------------------------
# Regime maps
# --------------------------------------------------------------------------------------

def regime_maps(folder: Path, cfg: Config, runs: Runs) -> Section:
    """Each map: the baseline with two parameters set on a grid, the same seeds in every cell.
    Per cell the mean and its 95% interval, and the paired difference with the reference cell
    (the baseline's own values when the grid holds them, else the first cell) with its 95%
    interval: a cell whose interval excludes 0 is marked (*), per comparison, not adjusted."""
    from experiments.execution.executor import run_model
    from experiments.io import results as res
    from experiments.io.figures import new_figure

    base = base_params("baseline", cfg)
    seeds = seeds_of(cfg, cfg.map_reps)
    sec = Section("maps", "Cartes de régimes / Regime maps")
    key = cfg.map_outcome
    short = []
    for k, (fx, xs, fy, ys) in enumerate(cfg.maps):
        cells = [(x, y) for y in ys for x in xs]
        tasks = [{"params": with_seed(base, s, **{fx: x, fy: y}), "series": False}
                 for x, y in cells for s in seeds]
        outs = runs(run_model, tasks, f"regime_map_{k + 1}")
        n = len(seeds)
        per_cell = [[o["summary"] for o in outs[i * n:(i + 1) * n]] for i in range(len(cells))]
        ref_i = _reference_cell(base, fx, fy, cells)
        rows = []
        for (x, y), summ in zip(cells, per_cell, strict=True):
            m = res.describe([o[key] for o in summ])
            d = res.paired_differences(per_cell[ref_i], summ)[key]
            lo, hi = _num(d["ci95_low"]), _num(d["ci95_high"])
            rows.append({fy: y, fx: x, f"{key}_mean": _num(m["mean"]), "ci95_low": _num(m["ci95_low"]),
                         "ci95_high": _num(m["ci95_high"]), "difference": _num(d["mean"]),
                         "difference_ci95_low": lo, "difference_ci95_high": hi,
                         "significant": bool(lo > 0 or hi < 0), "replications": n})
        table = pd.DataFrame(rows)
        grid = table[f"{key}_mean"].to_numpy(float).reshape(len(ys), len(xs))
        half = ((table["ci95_high"] - table["ci95_low"]) / 2).to_numpy(float).reshape(len(ys), len(xs))
        mark = table["significant"].to_numpy(bool).reshape(len(ys), len(xs))
        name = f"regime_map_{k + 1}"
        fig = new_figure(6.5, 4.8)
        ax = fig.add_subplot()
        lo, hi = out.honest_limits(grid, out.outcome_unit(key))
        im = ax.imshow(grid, origin="lower", cmap="viridis", vmin=lo, vmax=hi, aspect="auto")
        ax.set_xticks(range(len(xs)), [_tick(x) for x in xs], fontsize=7,
                      rotation=20 if any(isinstance(x, str) for x in xs) else 0)
        ax.set_yticks(range(len(ys)), [_tick(y) for y in ys], fontsize=7)
        ax.set_xlabel(out.parameter_label(fx), fontsize=8)
        ax.set_ylabel(out.parameter_label(fy), fontsize=8)
        mid = lo + 0.6 * (hi - lo)
        ry, rx = divmod(ref_i, len(xs))
        for (i, j), v in np.ndenumerate(grid):  # dark text on the light (yellow) end of viridis
            tag = " (réf.)" if (i, j) == (ry, rx) else ("*" if mark[i, j] else "")
            text = f"{v:.3g}{tag}" + (f"\n± {half[i, j]:.2g}" if np.isfinite(half[i, j]) else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color="black" if v > mid else "white")
        fig.colorbar(im, ax=ax, label=outcome_label(key, sep=' / '))
        ax.set_title(f"Moyenne sur {n} graines, {cfg.months} mois ; ± : IC 95 % ; * : différent de la réf.\n"
                     f"Mean over {n} seeds, {cfg.months} months; ±: 95% CI; *: differs from ref. (paired)",
                     fontsize=7)
        out.save_figure(fig, folder, name)
        caption = (f"{outcome_label(key, sep=' / ')}: {out.parameter_label(fx)} x {out.parameter_label(fy)}; mean ± 95% CI "
                   f"half-width over {n} seeds, * where the paired difference with the reference cell excludes 0")
        sec.tables[name] = (table, caption)
        sec.figures[name] = caption
        for f, values in ((fx, xs), (fy, ys)):
            if f.endswith("_months") and any(isinstance(v, int | float) and v >= cfg.months for v in values):
                short.append(f"{out.parameter_label(f, 'en')} reaches {max(values)} months, as long as or longer "
                             f"than the {cfg.months}-month horizon (map {k + 1}): cells there cannot show the "
                             "mechanism's full effect")
    sec.text = [f"Each cell: the baseline with two parameters set, {cfg.map_outcome} over {len(seeds)} seeds (the same "
                "seeds in every cell): mean and 95% interval (±), and the paired difference with the reference cell "
                "(the baseline's values, or the first cell); * marks a cell whose paired 95% interval excludes 0 "
                f"(per comparison, not adjusted for the {sum(len(m[1]) * len(m[3]) - 1 for m in cfg.maps)} "
                "comparisons). Colour scales start at zero."]
    if short:
        sec.text.append("Horizon: " + "; ".join(short) + ".")
    return sec


def _tick(value: Any) -> str:
    """A map's tick: a categorical value's French / English label, a number as written."""
    return "\n".join(out.CHOICES[value]) if isinstance(value, str) and value in out.CHOICES else str(value)


def _reference_cell(base: dict, fx: str, fy: str, cells: list[tuple]) -> int:
    """The cell holding the baseline's own values of both parameters, else the first."""
    def get(key: str) -> Any:
        node: Any = base
        for part in key.split("."):
            node = node[part]
        return node

    here = (get(fx), get(fy))
    return next((i for i, c in enumerate(cells) if c == here), 0)


# --------------------------------------------------------------------------------------
# The experimentation of the law
# --------------------------------------------------------------------------------------

def experimentation(folder: Path, cfg: Config, runs: Runs, calibration: Path | None = None) -> Section:
    from dataclasses import replace

    from . import design as dsg

    control = base_params("baseline", cfg)
    treated = base_params(cfg.treatment, cfg)
    result = dsg.simulate(control, treated, seeds_of(cfg, cfg.design_seeds), cfg.design, runs,
                          noise_check=cfg.measurement_noise)
    partial = [{"uptake": u, **dsg.simulate(control, dsg.partial_uptake(control, treated, u),
                                            seeds_of(cfg, cfg.design_seeds), cfg.design, runs)}
               for u in cfg.uptakes]  # the same seeds: the uptakes differ by the levers' doses only
    uncertain = None
    if cfg.uncertainty_draws:
        draws = uncertainty_draws(control, treated, cfg.uncertainty_draws, cfg.seed, calibration)
        seeds = seeds_of(cfg, min(cfg.uncertainty_seeds, cfg.design_seeds))  # common seeds with the fixed design
        uncertain = dsg.simulate_uncertain(control, treated, draws, seeds,
                                           replace(cfg.design, draws=min(cfg.design.draws, 100)), runs)
        uncertain["posterior"] = None if calibration is None else calibration.name
    sec = design_section(folder, result, cfg.treatment, uncertain)
    if partial:
        _uptake_part(sec, result, partial, cfg.treatment)
    return sec


def _uptake_part(sec: Section, result: dict[str, Any], partial: list[dict[str, Any]], treatment: str) -> None:
    """The experimentation redone with the treatment's levers taken up in part."""
    d: Design = result["design"]
    rows = []
    for r in [{"uptake": 1.0, **result}, *partial]:
        share = -r["predicted_effect"] / r["control_need"] if r["control_need"] > 0 else math.nan
        rows.append({"uptake": r["uptake"], "predicted_effect": r["predicted_effect"], "effect_share_of_need_left": share,
                     **{f"needed_{y}_years": n for y, n in r["needed"].items()}})
    fitted = [int(r["territories"]) for r in result["rows"]]
    biggest = max(fitted) if fitted else max(d.sizes)  # the largest size the pool allows
    table = pd.DataFrame(rows)
    for c in [c for c in table.columns if c.startswith("needed_")]:  # not reached in the grid: censored, "> N"
        table[c] = [f"> {biggest}" if n is None or n != n else str(int(n)) for n in table[c]]

    def said(n: str) -> str:
        return n.replace("> ", "more than ")

    sec.text.append(
        "Partial uptake: the same design with every lever of "
        f"'{out.scenario_label(treatment, 'en')}' practised only part of the way from the baseline's dose to the "
        "scenario's (uptake 0.5: half as far), on the same seeds. "
        + "; ".join(f"uptake {r.uptake:g}: effect {r.predicted_effect:.3g} need units per territory "
                    f"({r.effect_share_of_need_left:.1%} of the need left), 80% power at "
                    + ", ".join(f"{said(getattr(r, f'needed_{y}_years'))} territories in {y} years" for y in d.horizons)
                    for r in table.itertuples())
        + ". Doses are not the only way uptake falls short: the law imposed as a norm (scenario "
        "imposed_charter: the will of whoever must practise it worn down, so levers are practised less) changes more than levers and cannot be "
        "simulated as a staggered adoption, since the kernels read one governance setting for every territory.")
    sec.tables["power_partial_uptake"] = (table, "Effect and territories needed for 80% power when the treatment's "
                                          "levers are taken up in part (uptake 1: the design above)")


def uncertainty_draws(control: dict, treated: dict, k: int, seed: int, calibration: Path | None) -> list[dict]:
    """``k`` draws of the lever strengths within their ranges, each joined (when a
    calibration folder is given) by a parameter set drawn from its posterior."""
    from . import design as dsg

    draws = dsg.strength_draws(control, treated, k, seed)
    if calibration is not None:
        draws = [{**d, **p} for d, p in zip(draws, dsg.posterior_draws(calibration, k, seed), strict=True)]
    return draws


def design_section(folder: Path, result: dict[str, Any], treatment: str,
                   uncertain: dict[str, Any] | None = None, uptake: float = 1.0) -> Section:
    from experiments.io.figures import new_figure

    d: Design = result["design"]
    rows = pd.DataFrame(result["rows"])
    if rows.empty:
        sec = Section("experimentation", "L'expérimentation de la loi / The law's experimentation")
        sec.text = [f"No evaluation size of the grid {list(d.sizes)} fits: each needs at most {result['pool']} "
                    f"territories (the simulated pool) and at least {2 * d.spread} adopters and 2 controls at a "
                    f"share of {d.share:.0%}.", "Estimator: difference in differences for staggered adoption "
                    "(Callaway and Sant'Anna 2021); not run."]
        return sec
    fig = new_figure(6.5, 4.2)
    ax = fig.add_subplot()
    for k, (years, part) in enumerate(rows.groupby("years")):
        ax.plot(part["territories"], part["power"], marker="o", color=f"C{k}", label=f"{years} ans / years")
        ax.fill_between(part["territories"], part["power_low"], part["power_high"], color=f"C{k}", alpha=0.15,
                        lw=0)
    ax.axhline(0.8, color="#933", lw=1, ls="--", label="80 %")
    _territory_axis(ax, d.sizes)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Territoires évalués / Territories evaluated (count, log scale)")
    ax.set_ylabel("Puissance / Power (share of samples)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    out.save_figure(fig, folder, "power_curve")
    by_seed = np.asarray(result["predicted_by_seed"])
    spread = (f" (seeds range {by_seed.min():.3g} to {by_seed.max():.3g})" if len(by_seed) > 1 else "")
    needed = "; ".join(_needed_text(rows, y, n) for y, n in result["needed"].items())
    share = -result["predicted_effect"] / result["control_need"] if result["control_need"] > 0 else math.nan
    sec = Section("experimentation", "L'expérimentation de la loi / The law's experimentation")
    taken = "" if uptake == 1 else f", each lever taken up {uptake:g} of the way from the baseline's dose"
    sec.text = [
        f"Treatment: the levers of scenario '{out.scenario_label(treatment, 'en')}' ({treatment}) adopted by "
        f"{d.share:.0%} of territories{taken}, staggered over years {d.cohorts[0]}-{d.cohorts[-1]}; the others keep "
        "the baseline. Evaluators observe each territory's remaining need (need units) once a year.",
        "Estimator: difference in differences for staggered adoption (Callaway and Sant'Anna 2021, "
        "simple aggregation of the group-time effects, never-treated territories as controls, the "
        "year before adoption as base period), territories as units, two-sided 5% test.",
        f"The model's predicted effect on remaining need over {d.years} years: "
        f"{result['predicted_effect']:.4g} need units per territory{spread}, {share:.1%} of the "
        f"{result['control_need']:.3g} need units a territory still has at the end without adoption (need "
        "units are the model's own: one unit is the whole of one need dimension of one territory; compare "
        "scenarios, not absolute values).",
        (f"This is the best case the scenario describes: every lever of '{treatment}' at its dose from the "
         "adoption year on, in every adopting territory. Partial uptake gives a smaller effect and needs more "
         "territories (below, and alliance experiment-design --uptake); the power under the effect's "
         "uncertainty draws the levers' strengths." if uptake == 1 else
         f"Uptake {uptake:g}: a smaller effect than the whole treatment's (--uptake 1, the best case)."),
        f"Territories needed for 80% power (grid {list(d.sizes)}, {d.draws} samples per cell drawn without "
        f"replacement from {result['pool']} simulated territories; sizes above the pool, or too small for 2 "
        f"territories per cohort, are left out): {needed}.",
        "Limitation, spillovers (no interference between territories, the stable-unit assumption): not "
        "simulated, because the kernels read one set of lever coefficients for every territory "
        "(simulation/engine.py, Engine.coefficients), so a world where only some territories adopt cannot be run. "
        "Each cohort's world has every territory adopting; the controls come from a world where none does. "
        "What this likely biases, and which way: (1) national funders rank the applications of every territory "
        "together (submodel funding); in a real experimentation adopters whose alliances apply and deliver better "
        "would take national grants from controls, making the controls worse off than without the law and pushing "
        "the difference in differences away from zero (an overstated effect, an optimistic power); (2) capitalised "
        "successes spread to neighbouring territories (submodel scaling); controls beside adopters would receive "
        "part of the effect, pushing the estimate towards zero (an understated effect, more territories needed); "
        "(3) the predicted effect is that of adoption everywhere, where adopters compete with other adopters for "
        "national money (smaller than under partial adoption) and receive other adopters' spread successes (larger). "
        "The net sign is not known; measuring it needs per-territory adoption in simulation/ (a territory mask "
        "choosing between two coefficient sets in each submodel). Territories of one seed also share national "
        "actors, which the estimator's territory-level standard error does not cluster.",
        "Limitation, measurement: evaluators are assumed to observe each territory's true remaining need, with no "
        "measurement error, proxy indicator, missing year or attrition. Real indicators (Insee, CAF, surveys) add "
        "noise, which adds variance: every 'territories needed' below is a lower bound and every power an upper "
        "bound (the power is redone below with an error; alliance experiment-design --measurement-noise).",
        "Limitation, assignment: adopters and their cohorts are drawn at random, so parallel trends hold by "
        "construction. A French experimentation (Constitution, art. 37-1 and 72) is run with volunteering "
        "authorities, likely those with more will, social capital and engineering capacity, where the levers "
        "work best in this model: the effect among volunteers would exceed the effect of generalisation, and "
        "pre-trends could differ, both in the law's favour. A real design needs randomisation among volunteers "
        "or a pre-trend test; the model does not simulate self-selection.",
        "Scale: the effect and the spread between territories are both in need units, the model's own and not "
        "calibrated (the calibration, docs/calibration.md, fits funding and partnership patterns only; the "
        "lever strengths and the impact scale are modellers' choices within plausible ranges, "
        "simulation/constants.py). The territories needed are a statement about the model's variance structure, "
        "not about France: a real design needs the real indicator's dispersion between territories.",
    ]
    sec.tables["power"] = (rows, "Power of the difference in differences by territories and years")
    if result.get("noisy_rows"):
        noisy = pd.DataFrame(result["noisy_rows"])
        level = float(noisy["measurement_noise"].iloc[0])
        sec.text.append(f"With measurement error (each yearly observation plus a normal error of SD {level:g} times "
                        "the spread of remaining need between territories in the control world's last year; the same "
                        "worlds and samples): " + "; ".join(_needed_text(noisy, y, n)
                                                           for y, n in result["noisy_needed"].items()) + ".")
        sec.tables["power_measurement_noise"] = (noisy, f"Power when evaluators observe the need with an error of "
                                                 f"SD {level:g} x the between-territory spread")
    sec.figures["power_curve"] = ("Courbe de puissance / Power curve: share of evaluation samples "
                                  "detecting the model's effect at 5% (band: Monte Carlo 95% interval; lines "
                                  "join computed grid points only)")
    if uncertain is not None:
        _uncertainty_part(folder, sec, result, uncertain)
    return sec


def _needed_text(rows: pd.DataFrame, years: int, n: int | None) -> str:
    """``N territories (power p, Monte Carlo interval; the size below: p')``."""
    part = rows[rows["years"] == years].sort_values("territories")
    if n is None:
        return f"{years} years: more than {int(part['territories'].max())} territories" if len(part) else \
            f"{years} years: no size fits the pool"
    r = part[part["territories"] == n].iloc[0]
    below = part[part["territories"] < n]
    text = (f"{years} years: {n} territories (power {r['power']:.2f}, Monte Carlo 95% interval "
            f"{r['power_low']:.2f}-{r['power_high']:.2f}")
    if len(below):
        b = below.iloc[-1]
        text += f"; {int(b['territories'])} give {b['power']:.2f}, so the answer lies between {int(b['territories'])} and {n}"
    return text + ")"


def _territory_axis(ax: Any, sizes: Sequence[int]) -> None:
    """A log axis of territories with the grid's sizes as plain labels."""
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [str(n) for n in sizes])
    ax.minorticks_off()


def _uncertainty_part(folder: Path, sec: Section, result: dict[str, Any], u: dict[str, Any]) -> None:
    """The power redone with the effect's uncertainty: per draw and the assurance."""
    from experiments.io.figures import new_figure

    d: Design = u["design"]
    draws = pd.DataFrame(u["draws"])
    assurance = pd.DataFrame(u["assurance"])
    if assurance.empty:
        sec.text.append(f"Power under the effect's uncertainty: no size of the grid fits the {len(u['seeds'])} "
                        "world(s) per draw (raise the worlds per draw).")
        return
    eff = draws["predicted_effect"].to_numpy(float)
    source = ("the lever strengths drawn uniformly within their plausible ranges (simulation/constants.py)"
              + (f" and parameter sets drawn from the posterior of {u['posterior']}/" if u["posterior"] else
                 "; no calibration folder given (--calibration DIR adds posterior draws)"))
    big = f"more than {int(assurance['territories'].max())}"  # the largest size the draws' pool allows
    fixed_big = f"more than {int(pd.DataFrame(result['rows'])['territories'].max())}"

    def fmt(n: Any, more: str = big) -> str:
        return more if n is None or (isinstance(n, float) and math.isnan(n)) else str(int(n))

    per_years = []
    for y in d.horizons:
        col = draws[f"needed_{y}_years"]
        known = col.dropna()
        share = len(known) / len(col)
        per_years.append(f"{y} years: {fmt(u['needed'].get(y))} (fixed strengths: {fmt(result['needed'].get(y), fixed_big)}; "
                         f"per draw {fmt(known.min()) if len(known) else big} to "
                         f"{fmt(known.max()) if share == 1 else big})")
    sec.text += [
        f"Under the effect's uncertainty: {len(draws)} draws of {source}, {len(u['seeds'])} world(s) each "
        f"(seeds {u['seeds'][0]}-{u['seeds'][-1]}, common with the fixed design), {d.draws} evaluation samples per cell. Predicted effect over "
        f"{d.years} years: median {np.median(eff):.3g}, range {eff.min():.3g} to {eff.max():.3g} need units, against "
        f"{np.mean(result['predicted_by_seed'][:len(u['seeds'])]):.3g} with the fixed strengths on the same "
        f"{len(u['seeds'])} seeds ({result['predicted_effect']:.3g} over all {len(result['seeds'])}). The ranges are "
        "the modellers' plausible ranges, not elicited from experts nor estimated from data: the assurance is "
        "power under an assumed prior.",
        "Territories needed for 80% assurance (power averaged over the draws): " + "; ".join(per_years) + ".",
    ]
    shown = draws.copy()
    for y in d.horizons:  # None: not reached in the grid, censored
        shown[f"needed_{y}_years"] = [f"> {int(assurance['territories'].max())}" if n is None or n != n
                                      else str(int(n)) for n in shown[f"needed_{y}_years"]]
    sec.tables["power_uncertain_draws"] = (shown, "Each draw of the uncertain parameters: predicted effect "
                                           "and territories needed for 80% power ('> N': not reached in the grid)")
    sec.tables["power_assurance"] = (assurance, "Assurance: power averaged over the draws")
    fig = new_figure(6.5, 4.2)
    ax = fig.add_subplot()
    fixed = pd.DataFrame(result["rows"])
    for k, (years, part) in enumerate(assurance.groupby("years")):
        colour = f"C{k}"
        ax.plot(part["territories"], part["assurance"], marker="o", color=colour,
                label=f"{years} ans / years, incertain / uncertain")
        f = fixed[fixed["years"] == years]
        ax.plot(f["territories"], f["power"], ls=":", color=colour, label=f"{years} ans / years, fixe / fixed")
    ax.axhline(0.8, color="#933", lw=1, ls="--")
    _territory_axis(ax, d.sizes)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Territoires évalués / Territories evaluated (count, log scale)")
    ax.set_ylabel("Puissance moyenne / Assurance (share of samples)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    out.save_figure(fig, folder, "power_assurance")
    sec.figures["power_assurance"] = ("Puissance sous incertitude de l'effet / Power under the effect's "
                                      "uncertainty (solid) against fixed strengths (dotted)")


# --------------------------------------------------------------------------------------
# Each lever's effect at two horizons
# --------------------------------------------------------------------------------------

def horizons(folder: Path, cfg: Config, runs: Runs) -> Section:
    """Each lever from dose 0 to dose 1 (the others at the baseline), paired over seeds, on
    ``cfg.horizon_outcome`` after ``cfg.months`` and after twice as long."""
    from experiments.execution.executor import run_model
    from experiments.io import results as res
    from experiments.io.figures import new_figure
    from simulation import LEVERS

    levers = [lv for lv in LEVERS if cfg.levers is None or lv.id in cfg.levers]
    seeds = seeds_of(cfg, cfg.horizon_reps)
    key = cfg.horizon_outcome
    rows = []
    for months in (cfg.months, 2 * cfg.months):
        base = base_params("baseline", cfg)
        base["run"]["months"] = months
        tasks = [{"params": with_seed(base, seed, **{f"levers.{lv.id}": dose}), "series": False}
                 for lv in levers for dose in (0.0, 1.0) for seed in seeds]
        outs = runs(run_model, tasks, f"levers_{months}_months")
        n = len(seeds)
        for k, lv in enumerate(levers):
            off = [o["summary"] for o in outs[2 * k * n:(2 * k + 1) * n]]
            on = [o["summary"] for o in outs[(2 * k + 1) * n:(2 * k + 2) * n]]
            d = res.paired_differences(off, on)[key]
            rows.append({"lever": lv.id, "label_fr": lv.label_fr, "label_en": lv.label_en, "months": months,
                         "effect": d["mean"], "ci95_low": d["ci95_low"], "ci95_high": d["ci95_high"],
                         "unit": d["unit"], "replications": n})
    table = pd.DataFrame(rows)
    first = table[table["months"] == cfg.months].set_index("lever")["effect"]
    levers = sorted(levers, key=lambda lv: first[lv.id])  # largest effect at the top of the figure
    fig = new_figure(8, max(3.0, 0.3 * len(levers) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    ys = np.arange(len(levers))
    for j, (months, part) in enumerate(table.groupby("months", sort=True)):
        part = part.set_index("lever").loc[[lv.id for lv in levers]]
        m = part["effect"].to_numpy(float)
        lo = part["ci95_low"].to_numpy(float)
        hi = part["ci95_high"].to_numpy(float)
        ax.errorbar(m, ys + (j - 0.5) * 0.3, xerr=[m - lo, hi - m], fmt="o", ms=3, capsize=2,
                    label=f"{months // 12} ans / years")
    ax.axvline(0, color="#999", lw=1)
    ax.set_xlim(*out.honest_limits(np.r_[table["ci95_low"], table["ci95_high"]], "", difference=True))
    ax.set_yticks(ys, [f"{lv.label_fr} / {lv.label_en}" for lv in levers], fontsize=6)
    ax.set_xlabel(f"Effet du levier (dose 1 - dose 0) / Lever effect\n{outcome_label(key, sep=' / ')}", fontsize=8)
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    out.save_figure(fig, folder, "lever_horizons")
    sec = Section("horizons", "Effet des leviers selon l'horizon / Lever effects by horizon")
    sec.text = [f"Each lever from dose 0 to dose 1, the others at the baseline, paired over {len(seeds)} seeds; "
                f"{key} after {cfg.months} and {2 * cfg.months} months, mean difference and 95% CI, sorted by the "
                f"effect at {cfg.months} months. The intervals are per comparison, not adjusted for the "
                f"{2 * len(levers)} shown: read a ranking from the sensitivity section. The longer horizon's "
                "effect includes the lever acting for longer as well as slower mechanisms."]
    sec.tables["lever_horizons"] = (table, f"Lever effects on {key} at two horizons")
    sec.figures["lever_horizons"] = (f"Effet de chaque levier à deux horizons / Each lever's effect on {key} "
                                     "at two horizons")
    return sec


# --------------------------------------------------------------------------------------
# Lever ranking from a sensitivity folder
# --------------------------------------------------------------------------------------

def lever_ranking(sensitivity: Path | None, folder: Path | None = None) -> Section:
    """The sensitivity folder's indices per outcome (table, and with ``folder`` a figure of
    each outcome's 10 largest), its fit and its provenance."""
    from experiments.io.errors import InputError

    sec = Section("ranking", "Classement des leviers / Lever ranking")
    if sensitivity is None:
        sec.text = ["No sensitivity folder given (alliance report --sensitivity DIR reads its indices.csv; "
                    "make paper runs the sensitivity, the calibration and this report in one go)."]
        return sec
    path = sensitivity / "indices.csv"
    if not path.is_file():
        raise InputError(f"report: --sensitivity: expected {path} (written by alliance sensitivity); not found")
    ind = pd.read_csv(path)
    need = {"outcome", "factor", "index", "estimate", "ci_low", "ci_high", "p_adjusted", "detected"}
    if missing := need - set(ind.columns):
        raise InputError(f"report: {path}: expected columns {sorted(need)}; missing {sorted(missing)}")
    from simulation import LEVERS

    names = {f"levers.{lv.id}": f"{lv.label_fr} / {lv.label_en}" for lv in LEVERS}
    names |= {lv.id: label for lv in LEVERS for label in [names[f"levers.{lv.id}"]]}
    keep = ind[ind["index"].isin(("SRC", "ST", "mu_star", "mu"))].copy()
    from experiments.io.figures import factor_label

    keep["label"] = [names.get(f, factor_label(f)) for f in keep["factor"]]
    keep["size"] = keep["estimate"].abs()
    keep = keep.sort_values(["outcome", "size"], ascending=[True, False], kind="stable")
    cols = ["outcome", "label", "factor", "index", "estimate", "ci_low", "ci_high", "p_adjusted", "detected"]
    sec.tables["lever_ranking"] = (keep[cols].reset_index(drop=True), f"Indices read from {sensitivity.name}/indices.csv")
    sec.text = [f"Read from {sensitivity.name}/indices.csv (alliance sensitivity): each factor's index per "
                "outcome with its interval and adjusted p-value, largest in absolute value first. Levers and "
                "structural parameters (rule, regime, durations, budgets) are ranked together."]
    if folder is not None and len(keep):
        fit_file = sensitivity / "fit.csv"
        r2 = (pd.read_csv(fit_file).groupby("outcome")["r2"].min().to_dict()
              if fit_file.is_file() and "r2" in pd.read_csv(fit_file, nrows=0).columns else {})
        _ranking_figure(folder, sec, keep, r2)
    fit_path = sensitivity / "fit.csv"
    if fit_path.is_file():
        fit = pd.read_csv(fit_path)
        keep_cols = [c for c in ("outcome", "part", "points", "r2", "ceiling", "r2_share_of_ceiling", "q2")
                     if c in fit.columns]
        sec.tables["lever_ranking_fit"] = (fit[keep_cols], "Fit of the sensitivity regression per outcome: R², "
                                           "its ceiling under seed noise, and their ratio")
        if "r2" in fit.columns:
            poor = sorted(set(fit.loc[fit["r2"] < 0.5, "outcome"]))
            sec.text.append("Regression fit (fit.csv): R² from "
                            f"{fit['r2'].min():.2f} to {fit['r2'].max():.2f}"
                            + (f"; below 0.5 for {', '.join(poor)}: standardised coefficients do not rank factors "
                               "reliably there." if poor else "."))
    prov_path = sensitivity / "provenance.json"
    if prov_path.is_file():
        import json

        try:
            sprov = json.loads(prov_path.read_text(encoding="utf-8"))
        except ValueError:
            sprov = {}
        if isinstance(sprov, dict):
            seeds = sprov.get("seeds")
            said = (f"{len(seeds)} seeds from {min(seeds)} to {max(seeds)}" if isinstance(seeds, list) and seeds
                    and all(isinstance(x, int) for x in seeds) else f"seeds {str(seeds)[:40]}")
            sec.text.append(f"The sensitivity folder was built at commit {sprov.get('git_commit')} "
                            f"(dirty: {sprov.get('git_dirty')}), {said}; compare with this report's commit in "
                            "Methods.")
    across = sensitivity / "rankings.csv"
    if across.is_file():
        sec.tables["lever_ranking_across_cells"] = (pd.read_csv(across), "Each factor's rank across the "
                                                    "structural cells (governance rules, funding regimes)")
        sec.text.append("Robustness: rankings.csv gives each factor's rank in every structural cell of the design.")
    return sec


def _categorical(name: str) -> bool:
    """A factor whose levels are names (a rule, a regime): its statistic is unsigned."""
    from simulation import Params

    node: Any = Params().model_dump()
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, str | bool)


def _ranking_figure(folder: Path, sec: Section, keep: pd.DataFrame, r2: dict[str, float] | None = None,
                    top: int = 10) -> None:
    """One panel per outcome (6 at most): its ``top`` largest indices with their intervals;
    categorical factors as open squares (their statistic is unsigned), R² in the title."""
    r2 = r2 or {}
    from experiments.io.figures import new_figure

    if "part" in keep and keep["part"].nunique() > 1:
        first = keep["part"].dropna().iloc[0]
        keep, where = keep[keep["part"] == first], f" (cell {first})"
    else:
        where = ""
    outcomes = list(dict.fromkeys(keep["outcome"]))[:6]
    fig = new_figure(6.5 * min(2, len(outcomes)), 3.2 * -(-len(outcomes) // 2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(-(-len(outcomes) // 2), min(2, len(outcomes)))).ravel()
    for ax, o in zip(axes, outcomes, strict=False):
        part = keep[keep["outcome"] == o].head(top)[::-1]
        ys = np.arange(len(part))
        est = part["estimate"].to_numpy(float)
        lo, hi = part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float)
        cat = np.array([_categorical(str(f)) for f in part["factor"]], dtype=bool)
        for mask, marker, face in ((~cat, "o", "#224"), (cat, "s", "white")):
            if mask.any():
                ax.errorbar(est[mask], ys[mask], xerr=[np.abs(est - lo)[mask], np.abs(hi - est)[mask]], fmt=marker,
                            ms=4, capsize=2, color="#224", mfc=face)
        ax.axvline(0, color="#999", lw=1)
        ax.set_yticks(ys, [str(t) for t in part["label"]], fontsize=6)
        label = outcome_label(o, "fr") + "\n" + outcome_label(o, "en") if o in _outcome_keys() else o
        if o in r2:
            label += f"; R² {r2[o]:.2f}" + (" (< 0.5: ranking unreliable)" if r2[o] < 0.5 else "")
        ax.set_title(label, fontsize=7)
        ax.set_xlabel(f"{part['index'].iloc[0]} (95% CI)", fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(outcomes):]:
        ax.set_visible(False)
    out.save_figure(fig, folder, "lever_ranking")
    sec.figures["lever_ranking"] = (f"Classement des leviers / Lever ranking: the {top} largest indices per outcome"
                                    f"{where}, 95% intervals from the sensitivity folder; open squares: categorical "
                                    "factors (rule, regime), whose statistic is the spread of their level effects "
                                    "over sd(y), unsigned and not a test (docs/sensitivity.md)")


def _outcome_keys() -> set[str]:
    from simulation.outcomes import BY_KEY

    return set(BY_KEY)


# --------------------------------------------------------------------------------------
# Convergence: how the comparison's intervals shrink with replications
# --------------------------------------------------------------------------------------

#: Outcomes of the convergence figure (the table has every key outcome).
CONVERGENCE_OUTCOMES = ("impact", "alliance_survival", "equity_gap")


def convergence(folder: Path, cfg: Config, per: dict[str, list[dict]]) -> Section:
    """The scenario comparison's paired differences recomputed on the first n seeds, for a
    growing n: the mean and the half-width of the 95% interval. No new runs: the comparison's
    own outputs, read in seed order."""
    from experiments.io import results as res
    from experiments.io.figures import new_figure

    ref = cfg.scenarios[0]
    sizes = sorted({n for n in (2, 3, 5, 10, 15, 20, 30, 50, 100) if n <= cfg.reps} | {cfg.reps})
    rows = []
    for s in cfg.scenarios[1:]:
        for n in sizes:
            diffs = res.paired_differences([o["summary"] for o in per[ref][:n]],
                                           [o["summary"] for o in per[s][:n]])
            for k in KEY_OUTCOMES:
                d = diffs[k]
                half = None if d["ci95_low"] is None else (d["ci95_high"] - d["ci95_low"]) / 2
                rows.append({"scenario": s, "outcome": k, "unit": d["unit"], "replications": n,
                             "difference": d["mean"], "ci95_half_width": half})
    table = pd.DataFrame(rows)
    full = table[table["replications"] == cfg.reps].set_index(["scenario", "outcome"])
    fig = new_figure(10, 3.4, layout="constrained")
    axes = fig.subplots(1, len(CONVERGENCE_OUTCOMES))
    for ax, key in zip(np.atleast_1d(axes), CONVERGENCE_OUTCOMES, strict=True):
        for j, s in enumerate(cfg.scenarios[1:]):
            part = table[(table["scenario"] == s) & (table["outcome"] == key)]
            part = part[part["ci95_half_width"].astype(float) > 0]  # log scale: a zero width is not drawn
            ax.plot(part["replications"], part["ci95_half_width"], marker="o", ms=3, color=f"C{j}",
                    label=out.scenario_label(s))
        last = table[(table["outcome"] == key) & (table["replications"] == cfg.reps)]["ci95_half_width"].astype(float)
        n = np.array(sizes, dtype=float)
        if last.max() > 0:
            ax.plot(n, float(last.max()) * np.sqrt(cfg.reps / n), ls=":", color="#777", label="1/sqrt(n)")
            ax.set_yscale("log")
        else:  # undefined (or never moving) in too many seeds: no width to draw
            ax.set_ylim(0, 1)
            ax.text(0.5, 0.5, "n/a", transform=ax.transAxes, ha="center", color="#933")
        ax.set_xscale("log")
        ax.set_xticks(sizes, [str(k) for k in sizes])
        ax.minorticks_off()
        ax.set_xlabel("Réplications / Replications (count)")
        ax.set_ylabel(f"Demi-largeur IC 95 % / CI half-width ({out.outcome_unit(key)})", fontsize=8)
        ax.set_title(outcome_label(key, "fr") + "\n" + outcome_label(key, "en"), fontsize=8)
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].legend(fontsize=6)
    out.save_figure(fig, folder, "convergence")
    imp = full.xs("impact", level="outcome")
    sec = Section("convergence", "Convergence des estimations / Convergence of the estimates")
    sec.text = [f"The comparison's paired differences recomputed on the first n of its {cfg.reps} seeds "
                f"(n = {', '.join(map(str, sizes))}): half-width of the 95% interval. With {cfg.reps} "
                "replications the impact difference's half-width is "
                + ", ".join(f"{out.scenario_label(s, 'en')} {r.ci95_half_width:.3g} ({r.ci95_half_width / abs(r.difference):.0%} of "
                            f"{r.difference:.3g})" if r.difference else f"{out.scenario_label(s, 'en')} {r.ci95_half_width:.3g}"
                            for s, r in imp.iterrows())
                + " need units; the dotted line is the 1/sqrt(n) law through the widest last point."]
    sec.tables["convergence"] = (table, "Paired differences and 95% CI half-widths by number of replications")
    sec.figures["convergence"] = ("Convergence : demi-largeur de l'IC 95 % selon les réplications / "
                                  "Convergence: 95% CI half-width by replications")
    return sec
