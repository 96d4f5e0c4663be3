"""What the page shows for one state, computed without any user interface: the scenarios run
side by side, the plain-words answers, the figure, the series table and the one-page summary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import time
from dataclasses import dataclass

import pandas as pd

from experiments.io.errors import USER_ERRORS
from experiments.io.figures import outcome_label
from simulation import OUTCOMES, Params

from . import answer, i18n, session, why
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
    why: dict[str, list[str]]  # card id (or "settings", "compare") -> why the model answers so
    elections: tuple[int, ...]  # the reference's election months (none when they are staggered)
    seconds: float  # wall time of the runs and the answer
    cpu_seconds: float  # processor time of the same (what the laptop's load does not change)
    #: card id -> how many of its sentences are shown unfolded (the headlines and the indicators its
    #: "why" sentence speaks of); others: len(answer.HEADLINES)
    main: dict[str, int] = dataclasses.field(default_factory=dict)

    def shown(self, key: str) -> int:
        return self.main.get(key, len(answer.HEADLINES))


def compute(state: State, base: Params) -> View:
    """Run the reference and every pressed card on the state's common seeds."""
    started, cpu = time.perf_counter(), time.thread_time()
    seeds = answer.seeds_from(state.first_seed, state.seeds)
    lang = state.lang
    ref = answer.run_scenario(state.reference_params(base).model_dump(), seeds)
    scenarios = [Scenario("reference", i18n.t("reference_changed" if state.settings else "reference", lang), ref)]
    answers, established, whys, main = {}, {}, {}, {}
    if state.settings:  # moved levers or rules: say what they change against today's settings
        today = answer.run_scenario(base.model_dump(), seeds)
        answers["settings"] = answer.answer(today, ref, lang, today=True) + answer.answer(
            today, ref, lang, answer.MORE, today=True)
        established["settings"] = answer.established(today, ref)
        whys["settings"] = why.settings_lines(state.settings, base, today, ref, lang)
    for cid in state.cards:
        res = answer.run_scenario(state.scenario_params(base, cid).model_dump(), seeds)
        scenarios.append(Scenario(cid, card_table.BY_ID[cid].title(lang), res))
        mine = bool(state.settings)  # cards against the user's settings: said in each sentence
        # the indicators the card's "why" sentence speaks of are shown with the headlines (review 12c, 9)
        claimed = {k for k, _, against in card_table.BY_ID[cid].claims if against == "reference"}
        heads = answer.HEADLINES + tuple(h for h in answer.MORE if h.key in claimed)
        more = tuple(h for h in answer.MORE if h.key not in claimed)
        answers[cid] = answer.answer(ref, res, lang, heads, mine=mine) + answer.answer(ref, res, lang, more, mine=mine)
        established[cid] = answer.established(ref, res, heads)
        main[cid] = len(heads)
        whys[cid] = [card_table.BY_ID[cid].why(lang)]
    pair = state.pair()
    if pair:  # two questions against each other ("adopt or impose the Charter?")
        by_id = {sc.id: sc for sc in scenarios}
        a, b = by_id[pair[0]], by_id[pair[1]]
        answers["compare"] = answer.answer(a.result, b.result, lang, against=a.label) + answer.answer(
            a.result, b.result, lang, answer.MORE, against=a.label)
        established["compare"] = answer.established(a.result, b.result)
    p = state.reference_params(base)
    cycle = p.time.electoral_cycle_months
    elections = () if p.time.stagger_elections else tuple(range(cycle, p.run.months, cycle))
    return View(lang, seeds, tuple(scenarios), answers, established, whys, elections,
                time.perf_counter() - started, time.thread_time() - cpu, main)


def changes(overrides: dict, lang: str, base: Params) -> str:
    """What a set of overrides changes, in the page's words, each with today's value ("Durée du
    mandat : 3 ans au lieu de 6 ans"; the Charter's 21 levers said at once)."""
    from simulation.levers import CHARTER_IDS

    charter = {f"levers.{lid}" for lid in CHARTER_IDS}
    parts = []
    if charter <= set(overrides) and all(overrides[k] == 1.0 for k in charter):
        was = float(getattr(base.levers, CHARTER_IDS[0]))
        parts.append(i18n.t("all_charter_levers", lang, v=i18n.number(was, lang)))
        overrides = {k: v for k, v in overrides.items() if k not in charter}
    parts += [change(k, v, lang, base) for k, v in overrides.items()]
    parts = parts[:1] + [p[:1].lower() + p[1:] if lang == "fr" else p for p in parts[1:]]  # "… ; la Charte"
    return (" ; " if lang == "fr" else "; ").join(parts)


def _value_words(key: str, value, lang: str) -> str:
    if isinstance(value, str) and value in i18n.WORDS:
        return i18n.t(value, lang)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if key.endswith("_months"):
        if value % 12 == 0:
            return i18n.count("years", int(value) // 12, lang)
        return i18n.number(value, lang, 0) + (" mois" if lang == "fr" else " months")
    return f"{value:g}".replace(".", "," if lang == "fr" else ".").replace("-", "\u2212")


def change(key: str, value, lang: str, base: Params) -> str:
    """One setting against today's in plain words: "Durée des projets : 5 ans au lieu de 3 ans",
    "« Dialoguer » pratiqué à 0,8 au lieu de 0,2", "La Charte, là où on la pratique, est imposée
    (aujourd'hui : adoptée librement)"."""
    fr = lang == "fr"
    section, _, name = key.partition(".")
    try:
        today = getattr(getattr(base, section), name)
    except AttributeError:
        today = None
    now, was = _value_words(key, value, lang), _value_words(key, today, lang)
    if section == "levers" and name in i18n._LEVER:
        label = i18n.lever_label(name, lang)
        return (f"« {label} » pratiqué à {now} au lieu de {was}" if fr
                else f"\"{label}\" practised at {now} instead of {was}")
    label = session.label(key, lang)
    if label.endswith("…"):
        return (f"{label.removesuffix('…')} {now} (aujourd'hui : {was})" if fr
                else f"{label.removesuffix('…')} {now} (today: {was})")
    label = label.replace(" (mois)", "").replace(" (months)", "")
    instead = "au lieu d'" if was[:1].lower() in "aeiouyéèêàâ" else "au lieu de "
    return f"{label} : {now} {instead}{was}" if fr else f"{label}: {now} instead of {was}"


def headline_table(view: View) -> list[tuple[str, list[str]]]:
    """Per headline indicator, its label (with its unit) and the mean over seeds for each
    scenario: counts as whole numbers, shares in percent, 0-1 scores as such."""
    rows = []
    for h in answer.HEADLINES:
        cells = []
        for sc in view.scenarios:
            mean = sum(s[h.key] for s in sc.result.summaries) / len(sc.result.summaries)
            cells.append(i18n.percent(100 * mean, view.lang) if h.kind == "points"
                         else answer.level(h.key, mean, view.lang).split(" ")[0])
        rows.append((_with_unit(h.key, view.lang), cells))
    return rows


def _with_unit(key: str, lang: str) -> str:
    label = outcome_label(key, lang, unit=False)
    unit = {o.key: o.unit for o in OUTCOMES}.get(key)
    if unit == "need units":
        return label + (" (unités de besoin)" if lang == "fr" else " (need units)")
    if unit == "0-1":
        return label + (" (score de 0 à 1)" if lang == "fr" else " (score from 0 to 1)")
    return label


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


def short_interval(sentence: str, lang: str) -> str:
    """A sentence's answer with only its interval's ends: "…, soit 49 % de moins (95 % : −57 % à −41 %)"."""
    main, _, detail = sentence.partition("\n")
    if not detail:
        return main
    ends = detail.rsplit(": ", 1)[-1].split(", qu", 1)[0].split(", wh", 1)[0].rstrip(".")
    said = "95\u00a0% : " if lang == "fr" else "95%: "
    return f"{main} ({said}{ends})"


def split_answer(sentences: list[str], established: int, lang: str, shown: int = len(answer.HEADLINES)
                 ) -> tuple[list[str], list[str]]:
    """The headline sentences that change, and the labels of the headlines that do not (the first
    ``shown`` sentences are the headlines)."""
    main = sentences[:shown]
    sep = " : " if lang == "fr" else ": "
    return main[:established], [x.split(sep, 1)[0] for x in main[established:]]


def asked(events: list[dict], base: Params, lang: str) -> list[tuple[str, str, list[str], list[str], list[str]]]:
    """Every question asked during the session, in the order asked: (title, what it changes, why,
    the sentences of what changes, the labels of what does not). A question is a card pressed,
    a lever or rule moved, or two questions compared; the session is played again event by event
    (the runs are those of the page, cached)."""
    state = State(lang=lang)
    out = []
    events = [{k: v for k, v in e.items() if k != "t"} for e in events]
    said = [e for e in events if e.get("kind") not in ("lang", "territory")]
    # a lever moved step by step (arrow keys) is one question: the last step of a run on one key
    steps = {id(a) for a, b in zip(said, said[1:], strict=False)
             if a.get("kind") == b.get("kind") == "set" and a.get("key") == b.get("key")}
    for event in events:
        if id(event) in steps:
            with contextlib.suppress(*USER_ERRORS):
                state = session.apply(state, event, base)  # applied, not asked
            continue
        kind = event.get("kind")
        if kind not in ("card", "set", "compare", "seeds", "reset"):
            continue
        try:
            new = session.apply(state, event, base)
        except USER_ERRORS:  # a refused event changed nothing on the page either
            continue
        pair_before, state = state.pair(), new
        if kind == "card" and event["id"] in state.cards:
            keys = [event["id"]]
        elif kind == "set":
            keys = ["settings"]
        else:
            keys = []
        if state.pair() and state.pair() != pair_before:
            keys.append("compare")
        if not keys:
            continue
        v = compute(state, base)
        for key in keys:
            changed, same = split_answer(v.answers[key], v.established[key], lang, v.shown(key))
            if key == "settings":
                out.append((i18n.t("settings_answer", lang),
                            i18n.t("settings_changed", lang, what=changes(state.settings, lang, base)),
                            v.why.get("settings", []), changed, same))
            elif key == "compare":
                a, b = (card_table.BY_ID[c].title(lang) for c in state.pair())
                out.append((i18n.t("compare_title", lang, a=a, b=b), i18n.t("compare_help", lang), [], changed, same))
            else:
                card = card_table.BY_ID[key]
                note = i18n.t("card_changes", lang, what=changes(card.overrides, lang, base))
                if state.settings:
                    note += " " + i18n.t("settings_changed", lang, what=changes(state.settings, lang, base))
                out.append((f"{i18n.t('cards', lang)} {card.title(lang)}", note, [card.why(lang)], changed, same))
    return out


def handout_html(events: list[dict], view: View, base: Params, figure: bytes | None = None) -> str:
    """The session's hand-out (HTML, printable on a page or two): every question asked with its
    answer in plain words and why the model answers so, then the last comparison's figure. No
    file path, no command: it goes to the participants."""
    import base64
    import html as h

    lang = view.lang
    e = h.escape
    questions = asked(events, base, lang)
    day = time.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{e(i18n.t('title', lang))}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:1.5em auto;font-size:10.5pt;line-height:1.3}"
             "h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.05em;margin:.8em 0 .1em}p{margin:.1em 0}"
             "ul{margin:.1em 0}.why{font-style:italic;color:#444}.same{color:#444}small{color:#555}"
             "img{max-width:100%}@media print{body{font-size:8.5pt;margin:0}h2{break-after:avoid}}</style></head><body>",
             f"<h1>{e(i18n.t('title', lang))}</h1>",
             f"<p>{e(i18n.t('handout_intro', lang, d=day, q=i18n.count('questions_asked', len(questions), lang), n=len(view.seeds)))}</p>"]
    if not questions:
        parts.append(f"<p>{e(i18n.t('handout_none', lang))}</p>")
    for title, note, whys, changed, same in questions:
        parts.append(f"<h2>{e(title)}</h2><p>{e(note)}</p>")
        parts += [f"<p class='why'>{e(w)}</p>" for w in whys if w]
        if changed:
            parts.append("<ul>" + "".join(f"<li>{e(short_interval(x, lang))}</li>" for x in changed) + "</ul>")
            if same:
                parts.append(f"<p class='same'>{e(i18n.t('no_change_on', lang, what=', '.join(same)))}</p>")
        else:
            parts.append(f"<p class='same'>{e(i18n.t('no_established', lang, n=len(answer.HEADLINES)))}</p>")
    if figure:
        parts.append(f"<h2>{e(i18n.t('side_by_side', lang))}</h2>"
                     f"<img alt='' src='data:image/png;base64,{base64.b64encode(figure).decode()}'>")
    parts.append(f"<p><small>{e(i18n.t('handout_method', lang, n=len(view.seeds), f=answer.FAMILY))}</small></p>")
    parts.append("</body></html>")
    return "".join(parts)


#: The hand-out's file name in the exported zip, per language.
HANDOUT = {"fr": "resume-de-la-seance.html", "en": "session-summary.html"}
