"""What the page shows for one state, computed without any user interface: the scenarios run
side by side, the plain-words answers, the figure, the series table and the one-page summary.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import pandas as pd

from simulation import Params

from . import answer, i18n, session
from . import cards as card_table
from .session import State

#: The reference's colour, then one per card, in the order of the cards: a card keeps its colour
#: whatever else is pressed or put away.
REFERENCE_COLOUR = "#1b4f72"
CARD_COLOURS = ("#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22")  # Tableau's ten without its blue (the reference's): told apart on a projector


def colour(scenario_id: str) -> str:
    if scenario_id == "reference":
        return REFERENCE_COLOUR
    return CARD_COLOURS[list(card_table.BY_ID).index(scenario_id) % len(CARD_COLOURS)]


@dataclass(frozen=True)
class Scenario:
    id: str  # "reference" or a card id
    label: str
    result: answer.Result


@dataclass(frozen=True)
class View:
    lang: str
    seeds: tuple[int, ...]
    scenarios: tuple[Scenario, ...]  # the reference first
    answers: dict[str, list[str]]  # card id (or "settings") -> sentences: answer.HEADLINES, established
    #: changes first, then answer.MORE
    established: dict[str, int]  # card id (or "settings") -> how many headlines change
    elections: tuple[int, ...]  # the reference's election months (none when they are staggered)
    seconds: float  # wall time of the runs and the answer
    cpu_seconds: float  # processor time of the same (what the laptop's load does not change)


def compute(state: State, base: Params) -> View:
    """Run the reference and every pressed card on the state's common seeds."""
    started, cpu = time.perf_counter(), time.thread_time()
    seeds = answer.seeds_from(state.first_seed, state.seeds)
    lang = state.lang
    ref = answer.run_scenario(state.reference_params(base).model_dump(), seeds)
    scenarios = [Scenario("reference", i18n.t("reference_changed" if state.settings else "reference", lang), ref)]
    answers, established = {}, {}
    if state.settings:  # moved levers or rules: say what they change against today's settings
        today = answer.run_scenario(base.model_dump(), seeds)
        answers["settings"] = answer.answer(today, ref, lang, today=True) + answer.answer(
            today, ref, lang, answer.MORE, today=True)
        established["settings"] = answer.established(today, ref)
    for cid in state.cards:
        res = answer.run_scenario(state.scenario_params(base, cid).model_dump(), seeds)
        scenarios.append(Scenario(cid, card_table.BY_ID[cid].title(lang), res))
        answers[cid] = answer.answer(ref, res, lang) + answer.answer(ref, res, lang, answer.MORE)
        established[cid] = answer.established(ref, res)
    p = state.reference_params(base)
    cycle = p.time.electoral_cycle_months
    elections = () if p.time.stagger_elections else tuple(range(cycle, p.run.months, cycle))
    return View(lang, seeds, tuple(scenarios), answers, established, elections,
                time.perf_counter() - started, time.thread_time() - cpu)


def changes(overrides: dict, lang: str, base: Params) -> str:
    """What a set of overrides changes, in the page's words (the Charter's 21 levers said at once)."""
    from simulation.levers import CHARTER_IDS

    charter = {f"levers.{lid}" for lid in CHARTER_IDS}
    parts = []
    if charter <= set(overrides) and all(overrides[k] == 1.0 for k in charter):
        was = float(getattr(base.levers, CHARTER_IDS[0]))
        parts.append(i18n.t("all_charter_levers", lang, v=i18n.number(was, lang)))
        overrides = {k: v for k, v in overrides.items() if k not in charter}
    parts += [session.describe({"kind": "set", "key": k, "value": v}, lang) for k, v in overrides.items()]
    return (" ; " if lang == "fr" else "; ").join(parts)


def headline_table(view: View) -> list[tuple[str, list[str]]]:
    """Per headline indicator, its label and the mean over seeds for each scenario, formatted
    (shares and 0-1 scores in percent)."""
    rows = []
    for h in answer.HEADLINES:
        cells = []
        for sc in view.scenarios:
            mean = sum(s[h.key] for s in sc.result.summaries) / len(sc.result.summaries)
            cells.append(i18n.percent(100 * mean, view.lang) if h.kind == "points"
                         else i18n.number(mean, view.lang, 1))
        rows.append((i18n.outcome_label(h.key, view.lang), cells))
    return rows


#: Plotted series that count things (whole-number ticks on their axis).
COUNTS = ("alliances_active",)
#: Plotted 0-1 scores: drawn on their whole scale, so a small difference does not look steep.
SCORES = ("engagement", "trust_micro_macro")


def chart_options(view: View) -> list[dict]:
    """One ECharts option per plotted series (drawn in the browser, so moving a lever redraws at
    once): one line per scenario, the same colours as the legend and the exported figure."""
    charts = []
    for col in answer.PLOTTED:
        series = []
        for sc in view.scenarios:
            frame = sc.result.series
            data = [[int(m), float(f"{v:.4g}")] for m, v in zip(frame["month"], frame[col], strict=True)]
            series.append({"type": "line", "name": sc.label, "data": data, "showSymbol": False,
                           "lineStyle": {"color": colour(sc.id), "width": 2}, "itemStyle": {"color": colour(sc.id)}})
        if view.elections:  # the municipal elections of the reference, as dashed lines
            series[0]["markLine"] = {
                "symbol": "none", "silent": True, "lineStyle": {"type": "dashed", "color": "#888", "width": 1},
                "label": {"formatter": i18n.t("elections_mark", view.lang), "fontSize": 10, "color": "#666"},
                "data": [{"xAxis": m} for m in view.elections]}
        charts.append({
            "animation": False,
            "title": {"text": i18n.t(f"series.{col}", view.lang), "left": "center",
                      "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 50, "right": 15, "top": 35, "bottom": 40},
            "xAxis": {"type": "value", "name": i18n.t("month", view.lang), "nameLocation": "middle",
                      "nameGap": 25, "min": 0, "minInterval": 1},
            # counts get whole-number ticks; in French the numbers are written with a decimal comma
            # in the browser (browser.vue), the option being JSON
            "yAxis": {"type": "value", "scale": True, **({"minInterval": 1} if col in COUNTS else {}),
                      **({"min": 0, "max": 1} if col in SCORES else {})},
            "series": series,
        })
    return charts


def figure_warm_up() -> None:
    """Load matplotlib and its fonts (a second or two of processor time, tens of seconds on a
    loaded laptop) before the first export asks for them."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1), dpi=30)
    fig.subplots().plot([0, 1], [0, 1], label="x")
    fig.savefig(io.BytesIO(), format="png")


def figure_png(view: View) -> bytes:
    """The side-by-side figure: one panel per plotted series, one line per scenario."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    # fixed margins rather than a constrained layout: the export costs about half the time
    rows = (len(view.scenarios) + 1) // 2  # legend rows under the panels
    fig = Figure(figsize=(10, 6), dpi=90)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.95, bottom=0.12 + 0.045 * rows, hspace=0.45, wspace=0.18)
    axes = fig.subplots(2, 2).ravel()
    for ax, col in zip(axes, answer.PLOTTED, strict=True):
        for sc in view.scenarios:
            ax.plot(sc.result.series["month"], sc.result.series[col], color=colour(sc.id), label=sc.label, lw=2)
        ax.set_title(i18n.t(f"series.{col}", view.lang), fontsize=12)
        if col in SCORES:
            ax.set_ylim(0, 1)
        if view.lang == "fr":  # decimal commas, as on the page
            ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}".replace(".", ",").replace("-", "\u2212")))
        ax.set_xlabel(i18n.t("month", view.lang))
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=11, frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def series_csv(view: View) -> str:
    """Every seed's monthly series of every scenario, one row per scenario, seed and month, in the
    page's language: in French, French headings and scenario titles, ';' between columns and
    decimal commas (what a French spreadsheet opens in columns), with a byte-order mark so the
    accents read right."""
    lang = view.lang
    frames = [sc.result.runs.assign(scenario=sc.label) for sc in view.scenarios]
    table = pd.concat(frames, ignore_index=True)[["scenario", "seed", "month", *answer.PLOTTED]]
    if lang != "fr":
        return table.to_csv(index=False)
    table.columns = ["scénario", "tirage", "mois", *(i18n.t(f"series.{c}", lang) for c in answer.PLOTTED)]
    return "\ufeff" + table.to_csv(index=False, sep=";", decimal=",")


def summary_md(view: View, state: State, base: Params | None = None) -> str:
    """The one-page summary for the workshop report."""
    lang = view.lang
    fr = lang == "fr"
    base = base or Params()
    lines = [f"# {i18n.t('title', lang)}", "", time.strftime("%d/%m/%Y %H:%M" if fr else "%Y-%m-%d %H:%M"), ""]
    lines.append(i18n.t("answered_in", lang, s=i18n.number(view.seconds, lang, 2), n=len(view.seeds),
                        a=view.seeds[0], b=view.seeds[-1]))
    lines.append("")
    lines.append(f"## {view.scenarios[0].label}")
    if state.settings:
        lines += [f"- {session.describe({'kind': 'set', 'key': k, 'value': v}, lang)}" for k, v in state.settings.items()]
    else:
        lines.append("- " + ("réglages du modèle par défaut (scénario baseline)" if fr
                             else "the model's default settings (baseline scenario)"))
    if "settings" in view.answers:
        lines += ["", f"## {i18n.t('settings_answer', lang)}"]
        lines += [f"- {s}" for s in view.answers["settings"]]
    for sc in view.scenarios[1:]:
        lines += ["", f"## {i18n.t('cards', lang)} {sc.label}", ""]
        card = card_table.BY_ID[sc.id]
        lines += [i18n.t("card_changes", lang, what=changes(card.overrides, lang, base)), "", card.why(lang), ""]
        lines += [f"- {s}" for s in view.answers[sc.id]]
    lines += ["", "## " + ("Indicateurs (moyenne des tirages)" if fr else "Indicators (mean over draws)"), ""]
    head = ["", *(sc.label for sc in view.scenarios)]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for label, cells in headline_table(view):
        lines.append("| " + " | ".join([label, *cells]) + " |")
    return "\n".join(lines) + "\n"
