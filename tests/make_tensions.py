"""Regenerate docs/ODD.md's tension table and lever-effect table (issue 9, item 8).

Each tension of shared/DOMAIN.md (time, power, means, funding competition) is one paired
comparison over 40 seeds (common random numbers): the direction the seed expects, the
measured mean difference with its 95% Student-t interval, and the mechanism that carries it.
The lever table gives each lever's effect, raised from 0 to 1 alone, on the outcome the
registry scores it on and on impact; the pathway table gives, for each lever's second
pathway (a ``mechanisms`` switch, tests/test_pathways.py), the effect of that pathway alone
(switch on minus off, the lever at 1) on the outcome it is about and on impact. Run from the
repository root after a model change::

    python -m tests.make_tensions            # all three tables
    python -m tests.make_tensions tensions   # one of them (tensions, levers, pathways)

The tables are written between markers in docs/ODD.md; nothing else is touched.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from scipy import stats

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
SEEDS = range(40)

#: (tension, seed passage, base overrides, change, outcome, expected sign, mechanism)
TENSIONS: tuple[tuple[str, str, dict, dict, str, int, str], ...] = (
    ("time: an official's term vs a long project", "« le temps d'un élu local [...] n'est pas le même que celui d'un projet de long terme »",
     {"time.project_duration_months": 48}, {"time.electoral_cycle_months": 24}, "abandonment_rate", +1,
     "elections: a new executive withdraws; an official's horizon ends with its term"),
    ("time: national vs local tempo", "« le temps des évolutions à une échelle nationale n'est pas le même qu'en local »",
     {}, {"time.national_tempo_months": 36}, "national_partnership_share", -1,
     "partner_search: national actors answer at the national tempo"),
    ("time: annual vs multi-year grants", "« report ou retard des projets »",
     {}, {"time.grant_duration_months": 36}, "missed_appointments", -1,
     "funding: a multi-year grant covers the project; annual renewals leave gaps"),
    ("power: wanting to control everything", "« vouloir tout contrôler est contre-productif »",
     {"governance.rule": "subsidiarity"}, {"governance.rule": "macro_led"}, "engagement", -1,
     "governance/action: the chosen path is far from partners' preferred ones (frustration)"),
    ("power: too much macro presence", "« attention au risque de trop de présence du macro »",
     {"governance.macro_steering": 0.5}, {"governance.macro_steering": 1.0}, "impact", -1,
     "governance: imposed_path pulls every path to the national standard"),
    ("power: micro left without macro", "« sans que [...] ne deviennent des baronnies locales »",
     {"governance.macro_steering": 0.5}, {"governance.macro_steering": 0.0}, "impact", -1,
     "governance/action/scaling: baronnies (no shared frame, knowledge, recognition)"),
    ("power: a Charter imposed as a norm", "« une contrainte par une charte qui serait normative et contraignante »",
     {}, {"governance.charter": "imposed"}, "impact", -1,
     "learning: crowding_out erodes the will of whoever must practise it, so levers are practised less and fewer join"),
    ("means: alliance engineering funded", "« il est nécessaire de financer des expertises d'ingénierie de l'alliance »",
     {}, {"levers.engineering_funding": 1.0}, "small_associations_participation", +1,
     "partner_search: the State pays the co-construction cost"),
    ("means: participation costs left unfunded", "« le coût de la participation des citoyens est souvent oublié »",
     {"funding.participation_cost": 0.0}, {"funding.participation_cost": 1.0}, "small_associations_participation", -1,
     "partner_search: staff time caps participation (small_staff_limit)"),
    ("funding: costly applications", "« responsables de réponses à AAP et AMI »",
     {"funding.application_cost": 0.1}, {"funding.application_cost": 1.5}, "admin_burden", +1,
     "funding: applying costs the holder staff time"),
    ("funding: fiercer competition", "« à la fois besoin de coopérer et d'entrer en concurrence pour les subventions »",
     {}, {"funding.budget_scale": 0.3}, "association_cooperation", -1,
     "partner_search: funding pressure deters associations from allying"),
    ("funding: competition turns into cooperation", "« la concurrence [...] peut se transformer en cohérence à partir d'un certain point »",
     {"run.months": 120}, {"run.months": 240}, "association_cooperation", +1,
     "action/partner_search: joint work builds cooperative trust, which lowers the deterrent"),
    ("transparency: reporting as an obligation", "« si elle devient obligation (reporting, etc.) c'est trop lourd à porter »",
     {"governance.reporting": 0.3}, {"governance.reporting": 1.0}, "impact", -1,
     "action: time spent reporting is not spent working"),
    ("transparency: needed for trust", "« il y a besoin de transparence pour la confiance »",
     {"governance.reporting": 0.0}, {"governance.reporting": 0.3}, "trust_micro_macro", +1,
     "action: reported information builds local trust in the macro"),
    ("transparency: rises before it falls", "« il y a besoin de transparence pour la confiance [...] si elle devient obligation [...] c'est trop lourd à porter »",
     {"governance.reporting": 0.0}, {"governance.reporting": 0.1}, "impact", +1,
     "action: the trust reporting buys must pay for its staff time before the obligation weighs"),
    ("arbitration: the level changes who wins", "« comment arbitrer ? »",
     {"territories.nimby_share": 0.5, "governance.arbitration_level": "regional"},
     {"governance.arbitration_level": "local"}, "blocked_share", +1,
     "conflicts: the closer the arbiter, the more local opposition weighs"),
)


#: Second pathways: (lever, submodel, switch, outcome it is about, expected sign). The first
#: pathway of each lever is measured by the lever table (the lever 0 -> 1).
PATHWAYS: tuple[tuple[str, str, str, str, int], ...] = (
    ("experimentation", "emergence", "risk_taking", "alliances_formed", +1),
    ("mutual_trust", "partner_search", "trust_at_meeting", "alliance_diversity", +1),
    ("cross_domain", "partner_search", "cross_domain_search", "alliance_diversity", +1),
    ("accessibility", "partner_search", "volunteer_participation", "small_associations_participation", +1),
    ("evaluation", "funding", "evaluated_selection", "cost_per_impact", -1),  # impact per euro: funders select better
    ("sharing", "action", "pooled_means", "cost_per_impact", -1),
    ("hub_platform", "partner_search", "hub_partner_search", "alliance_diversity", +1),
)


def outcomes(overrides: dict) -> list[dict[str, float]]:
    from simulation import Params, run
    return [run(Params().with_overrides({**overrides, "run.seed": s}), series=False)[0] for s in SEEDS]


def interval(d) -> tuple[float, float, float]:
    d = np.asarray(d, dtype=float)
    half = float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
    return float(d.mean()), float(d.mean()) - half, float(d.mean()) + half


def fmt(e: tuple[float, float, float]) -> str:
    m, lo, hi = e
    return f"{m:+.3g} [{lo:+.3g}, {hi:+.3g}]"


def verdict(e: tuple[float, float, float], sign: int) -> str:
    _, lo, hi = e
    if sign > 0:
        return "as expected" if lo > 0 else ("**opposite**" if hi < 0 else "not shown")
    return "as expected" if hi < 0 else ("**opposite**" if lo > 0 else "not shown")


def tension_table() -> str:
    lines = ["| tension | seed | change (from base) | outcome | expected | measured, 40 paired seeds (95%) | verdict | mechanism |",
             "|---|---|---|---|---|---|---|---|"]
    for name, passage, base, change, key, sign, mechanism in TENSIONS:
        a, b = outcomes(base), outcomes({**base, **change})
        e = interval([y[key] - x[key] for x, y in zip(a, b, strict=True)])
        what = ", ".join(f"`{k}` = {v}" for k, v in change.items())
        if base:
            what += " (base: " + ", ".join(f"`{k}` = {v}" for k, v in base.items()) + ")"
        lines.append(f"| {name} | {passage} | {what} | `{key}` | {'+' if sign > 0 else '−'} | {fmt(e)} | "
                     f"{verdict(e, sign)} | {mechanism} |")
        print(lines[-1], flush=True)
    return "\n".join(lines)


def lever_table() -> str:
    from simulation.levers import LEVERS
    base = outcomes({})
    lines = ["| lever | pathways | scored on | effect of 0 → 1 on it (95%) | verdict | effect on impact (95%) |",
             "|---|---|---|---|---|---|"]
    for lv in LEVERS:
        low = outcomes({f"levers.{lv.id}": 0.0}) if lv.default > 0 else base
        high = outcomes({f"levers.{lv.id}": 1.0})
        on = interval([y[lv.outcome] - x[lv.outcome] for x, y in zip(low, high, strict=True)])
        imp = interval([y["impact"] - x["impact"] for x, y in zip(low, high, strict=True)])
        lines.append(f"| {lv.id} | {', '.join(lv.pathways)} | `{lv.outcome}` ({'+' if lv.direction > 0 else '−'}) | {fmt(on)} | "
                     f"{verdict(on, lv.direction)} | {fmt(imp)} |")
        print(lines[-1], flush=True)
    return "\n".join(lines)


def pathway_table() -> str:
    lines = ["| lever | pathway (submodel) | switch | about | effect of the pathway at full dose (95%) | verdict | on impact (95%) |",
             "|---|---|---|---|---|---|---|"]
    for lever, submodel, switch, key, sign in PATHWAYS:
        off = {f"levers.{lever}": 1.0, f"mechanisms.{switch}": False}
        a, b = outcomes(off), outcomes({**off, f"mechanisms.{switch}": True})
        on = interval([y[key] - x[key] for x, y in zip(a, b, strict=True)])
        imp = interval([y["impact"] - x["impact"] for x, y in zip(a, b, strict=True)])
        lines.append(f"| {lever} | {submodel} | `{switch}` | `{key}` ({'+' if sign > 0 else '−'}) | {fmt(on)} | "
                     f"{verdict(on, sign)} | {fmt(imp)} |")
        print(lines[-1], flush=True)
    return "\n".join(lines)


TABLES = {"tensions": tension_table, "levers": lever_table, "pathways": pathway_table}

MARKERS = {"tensions": ("<!-- tension table: generated by tests/make_tensions.py -->",
                        "<!-- end of tension table -->"),
           "levers": ("<!-- lever effects: generated by tests/make_tensions.py -->",
                      "<!-- end of lever effects -->"),
           "pathways": ("<!-- pathway effects: generated by tests/make_tensions.py -->",
                        "<!-- end of pathway effects -->")}


def write(which: str, table: str) -> None:
    start, end = MARKERS[which]
    text = ODD.read_text()
    if start not in text or end not in text:
        raise SystemExit(f"{ODD}: markers for the {which} table not found ({start!r} ... {end!r})")
    pattern = re.escape(start) + r".*?" + re.escape(end)
    ODD.write_text(re.sub(pattern, lambda _: f"{start}\n{table}\n{end}", text, flags=re.S))


def main(argv: list[str]) -> int:
    from experiments.execution.compiled import compile_kernels
    compile_kernels()
    which = argv or list(TABLES)
    unknown = [w for w in which if w not in TABLES]
    if unknown:
        raise SystemExit(f"tests/make_tensions.py: unknown table {unknown[0]!r}; expected one of {', '.join(TABLES)}")
    for w in which:
        write(w, TABLES[w]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
