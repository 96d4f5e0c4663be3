"""The workshop page (Solara): a thin layer over session, view and answer.

Every user action becomes one event (experiments.demo.session); the page applies it, runs
the scenarios, and only then keeps the new state: a refused value or a failed run leaves the
last good state on screen with a plain message. Started by ``alliance demo`` (command.py),
which passes the reference scenario, the language and the session to replay through the
environment.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs

import reacton.core
import solara

from experiments.io import scenarios as scn
from experiments.io.errors import USER_ERRORS
from simulation import LEVERS
from simulation.levers import GROUPS

from . import answer, i18n, session, territories, view
from . import cards as card_table

SCENARIO = os.environ.get("ALLIANCE_DEMO_SCENARIO", "baseline")
BASE = scn.load(SCENARIO).params
DEFAULT_LANG = os.environ.get("ALLIANCE_DEMO_LANG", "fr")
REPLAY = os.environ.get("ALLIANCE_DEMO_REPLAY")
SAVE_DIR = os.environ.get("ALLIANCE_DEMO_SAVE_DIR")

RANGES = session.RANGES


def _current(settings: dict, key: str):
    if key in settings:
        return settings[key]
    section, name = key.split(".")
    return getattr(getattr(BASE, section), name)


#: A saved session's name, as written by Controller._save (and nothing else: no path).
_SEANCE = re.compile(r"seance-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}h[0-9]{2}m[0-9]{2}-[0-9]{4}")


class Controller:
    """One browser session: its state, log and computed view, and the one way to change them.

    The state is published field by field (language, cards, settings, draws, story, view), each a
    reactive variable that only the components showing it read: pressing a card redraws the
    cards, the answer and the charts, not the 29 sliders."""

    def __init__(self) -> None:
        first = session.State(lang=DEFAULT_LANG)
        self.now = first  # the current state (read in handlers; components read the fields below)
        self.lang = solara.reactive(first.lang)
        self.cards = solara.reactive(first.cards)
        self.settings = solara.reactive(dict(first.settings))
        self.draws = solara.reactive((first.seeds, first.first_seed))
        self.story = solara.reactive((first.territory, first.story_of))
        self.view = solara.reactive(view.compute(first, BASE))
        self.query = solara.reactive("")  # the page address's words for the state (browser.vue)
        self.message = solara.reactive("")
        self.log = session.Log()
        self.logged = solara.reactive(0)
        self.replayed: list[dict] = []  # the events of the session given to --replay
        self.step = solara.reactive(0)
        self.replay_note: tuple[str, int] | None = None  # (file name, actions) under --replay
        self.saved_to: Path | None = None  # where this tab's session is saved as it goes
        self.render_context = None  # the page's (Page sets it): what is published redraws in one pass

    def _one_redraw(self):
        """Every field set inside this block redraws the page once, at its end (not once per
        field: each pass walks the whole page)."""
        return self.render_context if self.render_context is not None else contextlib.nullcontext()

    def _publish(self, new: session.State, computed: view.View) -> None:
        with self._one_redraw():
            self._set_fields(new, computed)

    def _set_fields(self, new: session.State, computed: view.View) -> None:
        self.now = new
        self.lang.value = new.lang
        self.cards.value = new.cards
        self.settings.value = dict(new.settings)
        self.draws.value = (new.seeds, new.first_seed)
        self.story.value = (new.territory, new.story_of)
        self.view.value = computed
        self.logged.value = len(self.log.events)
        if not REPLAY:  # a replayed session reopens from --replay, not from the address
            self.query.value = session.to_query(new, DEFAULT_LANG, self.saved_to.stem if self.saved_to else None)

    def do(self, event: dict) -> bool:
        """Apply, run and keep ``event``; on a refusal say why and keep the last good state."""
        lang = self.now.lang
        try:
            new = session.apply(self.now, event, BASE)
            computed = view.compute(new, BASE)
        except USER_ERRORS as exc:
            sep, semi = (" : ", " ; ") if lang == "fr" else (": ", "; ")
            text = i18n.message(str(exc), lang).rstrip(".")
            what = "cannot" if str(exc) == i18n.t("max_cards", lang) else "error"
            self.message.value = f"{i18n.t(what, lang)}{sep}{text}{semi}{i18n.t('kept', lang)}"
            return False
        self.log.add(event)
        self._save()
        with self._one_redraw():
            self.message.value = ""
            self._publish(new, computed)
        return True

    def _save(self) -> None:
        """Write the session so far (replayable with --replay): a reload or a closed laptop loses
        nothing. A failed write is said on the page; the session goes on."""
        if not SAVE_DIR:
            return
        if self.saved_to is None:
            stamp = time.strftime("%Y-%m-%d-%Hh%Mm%S")
            self.saved_to = Path(SAVE_DIR) / f"seance-{stamp}-{id(self) % 10_000:04d}.json"
        try:
            tmp = self.saved_to.with_suffix(".tmp")
            tmp.write_text(self.log.to_json(SCENARIO), encoding="utf-8")
            tmp.replace(self.saved_to)
        except OSError as exc:
            self.message.value = f"{self.saved_to}: {exc.strerror or exc}"

    def _reopen(self, name: str) -> bool:
        """Reopen this tab's saved session ``name`` (a reload): its state and its log; the session
        goes on in the same file. False when there is no such session (the address then applies)."""
        if not SAVE_DIR or not _SEANCE.fullmatch(name) or not (Path(SAVE_DIR) / f"{name}.json").is_file():
            return False
        path = Path(SAVE_DIR) / f"{name}.json"
        try:
            scenario, events = session.read_session(path)
            if scenario != SCENARIO:
                return False
            state = session.replay([{a: b for a, b in e.items() if a != "t"} for e in events], BASE,
                                   session.State(lang=DEFAULT_LANG))
            computed = view.compute(state, BASE)
        except USER_ERRORS:
            return False
        self.log, self.saved_to = session.Log(events), path
        self._publish(state, computed)
        return True

    def start(self, query: str) -> None:
        """Replay the session given to ``alliance demo --replay``; else reopen the session the
        address names (a reload), or apply the address's words. Every refusal is said at once and
        the rest still applies."""
        notes: list[str] = []
        if REPLAY:
            try:
                _, events = session.read_session(Path(REPLAY))
            except USER_ERRORS as exc:  # checked at start-up; the file may have gone since
                events = []
                notes.append(i18n.message(str(exc), self.now.lang))
            for event in events:
                if not self.do(event):
                    notes.append(self.message.value)
            self.replayed = list(self.log.events)
            self.step.value = len(self.replayed)
            self.replay_note = (Path(REPLAY).name, len(events))
        seance = parse_qs((query or "").lstrip("?")).get("seance", [""])[-1]
        if not REPLAY and seance and self._reopen(seance):
            return
        events, problems = session.events_from_query(query or "")
        for event in events:
            if not self.do(event):
                notes.append(self.message.value)
        notes += [i18n.message(p, self.now.lang) for p in problems]
        self.message.value = " ".join(notes)

    def go_to_step(self, k: int) -> None:
        """Play the replayed session back to its ``k``-th action; the log is cut there too, so
        what is done next continues from that point."""
        lang = self.now.lang
        try:
            state = session.replay([{a: b for a, b in e.items() if a != "t"} for e in self.replayed[:k]],
                                   BASE, session.State(lang=DEFAULT_LANG))
            computed = view.compute(state, BASE)
        except USER_ERRORS as exc:
            self.message.value = i18n.message(str(exc), lang)
            return
        self.log = session.Log(self.replayed[:k])
        self._save()
        self.step.value = k
        self._publish(state, computed)

    def export(self) -> bytes:
        v = self.view.value
        png = view.figure_png(v)
        return session.export_zip(self.log.to_json(SCENARIO), view.series_csv(v), {"cote_a_cote.png": png},
                                  (view.HANDOUT[v.lang], view.handout_html(self.log.events, v, BASE, png)))


@solara.component_vue("browser.vue")
def BrowserSide(lang: str, query: str):
    """The address kept in step with the session, a double-click on a card taken as one press,
    Solara's own words and the charts' numbers in French (experiments/demo/browser.vue): all in
    the browser, nothing requested."""


@solara.component
def Address(ctl: Controller):
    BrowserSide(lang=ctl.lang.value, query=ctl.query.value)


@solara.component
def CardRow(ctl: Controller):
    lang, pressed_ids = ctl.lang.value, ctl.cards.value
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}, classes=["alliance-cards"]):
        for card in card_table.CARDS:
            pressed = card.id in pressed_ids
            solara.Button(card_label(card, lang), color="primary" if pressed else None, outlined=not pressed,
                          on_click=lambda cid=card.id: ctl.do({"kind": "card", "id": cid}),
                          classes=["alliance-card", f"card-{card.id}"])


def card_label(card: card_table.Card, lang: str) -> str:
    """A card's button: its title, and today's value when the title alone does not say it."""
    if not card.today:
        return card.title(lang)
    today = view._value_words(card.today, _current({}, card.today), lang)
    return f"{card.title(lang)} (aujourd'hui : {today})" if lang == "fr" else f"{card.title(lang)} (today: {today})"


def _lines(sentences: list[str], cls: str = "") -> str:
    """Sentences as list items: the answer, then its interval in a second, smaller line."""
    e = html.escape
    out = []
    for x in sentences:
        main, _, detail = x.partition("\n")
        small = f"<br><small class='alliance-interval' style='color:#666'>{e(detail)}</small>" if detail else ""
        grey = " style='color:#555'" if cls else ""
        out.append(f"<li class='{cls}'{grey}>{e(main)}{small}</li>")
    return "".join(out)


def _short_lines(sentences: list[str], lang: str) -> str:
    """The projector's list items: the answer, then only its interval's ends in a smaller line."""
    e = html.escape
    out = []
    for x in sentences:
        main, _, rest = view.short_interval(x, lang).rpartition(" (")
        out.append(f"<li>{e(main)}<br><small class='alliance-interval'>{e(rest.removesuffix(')'))}</small></li>"
                   if main else f"<li>{e(rest)}</li>")
    return "".join(out)


def _answer_block(title: str, note: str, sentences: list[str], established: int, lang: str, large: bool,
                  whys: list[str] = (), n: int = len(answer.HEADLINES)) -> str:
    """One answer: its title, what it changes, why the model answers so, then every headline
    indicator, the established changes first and those that do not change next (both shown: a
    balanced answer), and the other indicators folded away."""
    e = html.escape
    main, rest = sentences[:n], sentences[n:]
    changed, same = main[:established], main[established:]
    labels = view.split_answer(sentences, established, lang, n)[1]
    out = [f"<h3>{e(title)}</h3>", f"<p class='alliance-changes' style='color:#555'>{e(note)}</p>"]
    if not large:
        out += [f"<p class='alliance-why' style='color:#555;font-style:italic'>{e(w)}</p>" for w in whys if w]
    if large:  # the projector: the changes, then one line naming what does not change
        out.append("<ul class='alliance-changed'>" + _short_lines(changed, lang) + "</ul>" if changed else
                   f"<p>{e(i18n.t('no_established', lang, n=n))}</p>")
        if changed and labels:
            out.append(f"<p class='alliance-same'>{e(i18n.t('no_change_on', lang, what=', '.join(labels)))}</p>")
        return "".join(out)
    if not changed:
        out.append(f"<p class='alliance-none'>{e(i18n.t('no_established', lang, n=n))}</p>")
    out.append("<ul class='alliance-changed'>" + _lines(changed) + _lines(same, "alliance-same") + "</ul>")
    if rest:
        out.append(f"<details><summary>{e(i18n.t('more_details', lang))}</summary><ul>"
                   + _lines(rest) + "</ul></details>")
    return "".join(out)


@solara.component
def Answers(ctl: Controller, projector: bool = False):
    v, lang, settings = ctl.view.value, ctl.lang.value, ctl.settings.value
    solara.HTML("h2", i18n.t("answer", lang), classes=["alliance-answers-title"])
    blocks = []  # (title, note, key, whys, classes)
    if "settings" in v.answers:
        note = i18n.t("settings_changed", lang, what=view.changes(settings, lang, BASE))
        blocks.append((i18n.t("settings_answer", lang), note, "settings", v.why.get("settings", []),
                       ["alliance-answer", "alliance-settings-answer"]))
    if len(v.scenarios) == 1 and "settings" not in v.answers:
        solara.Text(i18n.t("no_card", lang))
        return
    for sc in v.scenarios[1:]:
        card = card_table.BY_ID[sc.id]
        note = i18n.t("card_changes", lang, what=view.changes(card.overrides, lang, BASE))
        blocks.append((f"{i18n.t('cards', lang)} {sc.label}", note, sc.id, v.why.get(sc.id, []), ["alliance-answer"]))
    with solara.Div(classes=["alliance-answers"],
                    style={"display": "grid", "gap": "0 24px",
                           "grid-template-columns": f"repeat({len(blocks)}, 1fr)" if projector else "1fr"}):
        for title, note, key, whys, classes in blocks:
            solara.HTML("div", unsafe_innerHTML=_answer_block(title, note, v.answers[key], v.established[key],
                                                              lang, projector, whys, v.shown(key)), classes=classes)
    Compare(ctl)  # in projector mode too: "adopt or impose?" is the room's question
    key = "answered_in" if v.seconds >= 0.01 else "answered_cached"
    text = i18n.t(key, lang, s=i18n.number(v.seconds, lang, 2), n=len(v.seeds), a=v.seeds[0], b=v.seeds[-1])
    solara.HTML("p", html.escape(text), classes=["alliance-timing"],
                attributes={"data-seconds": f"{v.seconds:.3f}", "data-cpu-seconds": f"{v.cpu_seconds:.3f}"})


@solara.component
def Compare(ctl: Controller):
    """Two questions against each other on the same draws ("adopt or impose the Charter?"):
    shown once two cards are pressed; the pair is chosen in two lists."""
    v, lang, st = ctl.view.value, ctl.lang.value, ctl.now
    pair = st.pair()
    if not pair or "compare" not in v.answers:
        return
    titles = {card_table.BY_ID[c].title(lang): c for c in st.cards}
    a, b = (card_table.BY_ID[c].title(lang) for c in pair)
    with solara.Div(classes=["alliance-compare"]):
        with solara.Row(style={"gap": "12px", "align-items": "center", "flex-wrap": "wrap"}):
            solara.Select(i18n.t("compare_a", lang), values=list(titles), value=a,
                          on_value=lambda t: ctl.do({"kind": "compare", "a": titles[t],
                                                     "b": pair[0] if titles[t] == pair[1] else pair[1]}))
            solara.Select(i18n.t("compare_b", lang), values=[t for t in titles if t != a], value=b,
                          on_value=lambda t: ctl.do({"kind": "compare", "a": pair[0], "b": titles[t]}))
        block = _answer_block(i18n.t("compare_title", lang, a=a, b=b), i18n.t("compare_help", lang),
                              v.answers["compare"], v.established["compare"], lang, False)
        solara.HTML("div", unsafe_innerHTML=block, classes=["alliance-compare-answer"])


@solara.component
def SideBySide(ctl: Controller, projector: bool):
    v, lang = ctl.view.value, ctl.lang.value
    solara.HTML("h2", i18n.t("side_by_side", lang))
    rows = view.headline_table(v)
    size = "1.8em" if projector else "1em"
    shown = rows[:3] if projector else rows
    # in projector mode the numbers are large and the headings stay readable (a card's title wraps)
    th = "padding:4px 12px;vertical-align:bottom" + (";font-size:0.55em;max-width:14em" if projector else "")
    head = "".join(f"<th style='{th}'>{html.escape(sc.label)}</th>" for sc in v.scenarios)
    td = "padding:4px 12px" + (";font-size:0.6em" if projector else "")
    body = "".join(
        f"<tr><td style='{td}'>{html.escape(label)}</td>"
        + "".join(f"<td style='padding:4px 12px;text-align:right'>{html.escape(c)}</td>" for c in cells) + "</tr>"
        for label, cells in shown)
    solara.HTML("div", unsafe_innerHTML=f"<div style='overflow-x:auto'><table class='alliance-table' "
                f"style='font-size:{size}'><tr><th></th>{head}</tr>{body}</table></div>")
    if projector:
        return
    chips = "".join(f"<span style='margin-right:18px'><span style='display:inline-block;width:22px;height:4px;"
                    f"background:{c};vertical-align:middle;margin-right:6px'></span>{html.escape(sc.label)}</span>"
                    for sc, c in ((sc, view.colour(sc.id)) for sc in v.scenarios))
    solara.HTML("div", unsafe_innerHTML=chips, classes=["alliance-legend"], style="margin:8px 0")
    options = view.chart_options(v)
    with solara.Div(classes=["alliance-charts"],
                    style={"display": "grid", "grid-template-columns": "1fr 1fr", "gap": "4px"}):
        for option in options:
            solara.FigureEcharts(option=option, attributes={"style": "height: 260px;"})


@solara.component
def Territories(ctl: Controller):
    """The map of one run's territories and alliances, and the story of the territory chosen
    (by a click on the map or in the list). Drawn only when opened: it costs one more run."""
    lang = ctl.lang.value
    shown, set_shown = solara.use_state(False)
    solara.HTML("h2", i18n.t("map_title", lang))
    solara.Button(i18n.t("hide_map" if shown else "show_map", lang), outlined=True,
                  classes=["alliance-show-map"], on_click=lambda: set_shown(not shown))
    if not shown:
        return
    _ = ctl.cards.value, ctl.settings.value, ctl.draws.value, ctl.story.value  # redraw when they change
    st = ctl.now
    params = st.story_params(BASE)
    rec = territories.recorded(params.model_dump())
    t = min(st.territory, rec.n_territories - 1)
    of = st.story_of if st.story_of in st.cards else "reference"
    titles = {i18n.t("reference", lang): "reference",
              **{card_table.BY_ID[c].title(lang): c for c in st.cards}}
    names = [territories.territory_name(rec, k, lang) for k in range(rec.n_territories)]

    def on_click(data):
        k = territories.clicked_territory(data)
        if k is not None:
            ctl.do({"kind": "territory", "n": k + 1, "of": of})

    solara.Text(i18n.t("map_help", lang))
    with solara.Row(style={"gap": "16px", "align-items": "center"}):
        if len(titles) > 1:
            solara.Select(i18n.t("map_history", lang), values=list(titles),
                          value=next(k for k, v in titles.items() if v == of),
                          on_value=lambda text: ctl.do({"kind": "territory", "n": t + 1, "of": titles[text]}))
        solara.Select(i18n.t("territory_pick", lang), values=names, value=names[t],
                      on_value=lambda name: ctl.do({"kind": "territory", "n": names.index(name) + 1, "of": of}))
    solara.Text(i18n.t("map_draw", lang, s=st.first_seed, m=rec.months))
    with solara.Columns([6, 5]):
        with solara.Column():
            solara.FigureEcharts(option=territories.map_option(rec, lang, t), on_click=on_click,
                                 attributes={"style": "height: 560px;", "class": "alliance-map"})
            chips = "".join(
                f"<span style='margin-right:14px;white-space:nowrap'><span style='display:inline-block;width:22px;"
                f"height:3px;background:{c};vertical-align:middle;margin-right:5px'></span>"
                f"{html.escape(i18n.count('fate_count.' + f, 2, lang).removeprefix('2 '))}</span>"
                for f, c in territories.FATE_COLOURS.items() if f != "no_partners")
            solara.HTML("div", unsafe_innerHTML=chips, style="font-size:0.9em")
        with solara.Column():
            story = territories.story(rec, t, lang)
            solara.HTML("div", unsafe_innerHTML=territories.story_html(story, lang), classes=["alliance-story"])
            solara.FigureEcharts(option=territories.needs_option(rec, t, lang),
                                 attributes={"style": "height: 260px;", "class": "alliance-needs"})


@solara.component
def Knobs(ctl: Controller):
    for key, choices in session.KNOBS.items():
        with solara.Column(classes=[f"knob-{key.replace('.', '-')}"]):
            Knob(ctl, key, choices)


@solara.component
def Knob(ctl: Controller, key: str, choices: tuple[str, ...] | None):
    """One structural knob: a list of choices, or a slider over RANGES."""
    lang = ctl.lang.value
    label = i18n.t(key, lang)
    value = _current(ctl.settings.value, key)
    if choices:
        names = {i18n.t(c, lang): c for c in choices}
        solara.Select(label, values=list(names), value=i18n.t(value, lang),
                      on_value=lambda text: ctl.do({"kind": "set", "key": key, "value": names[text]}))
        return
    lo, hi, step = RANGES[key]
    shown = i18n.number(value, lang, 0 if isinstance(step, int) else 2)
    if key.endswith("_months") and value % 12 == 0:
        shown += f" ({i18n.count('years', int(value) // 12, lang)})"
    solara.Text(f"{label}{' : ' if lang == 'fr' else ': '}{shown}", classes=["alliance-slider-label"])
    whole = isinstance(step, int)
    Slider(value, lo, hi, step, lambda x: ctl.do({"kind": "set", "key": key,
                                                  "value": int(round(x)) if whole else round(float(x), 4)}))


@solara.component
def Slider(value: float, lo: float, hi: float, step: float, on_change):
    """A slider that applies where it is released: a drag when the mouse is let go, an arrow key
    at each press (Vuetify's "change" event). Solara's own sliders follow every move of the
    thumb, so a redraw of the page during a drag could stop it half way."""
    import reacton.ipyvuetify as rv

    def changed(widget, event, data):
        if isinstance(data, int | float) and not isinstance(data, bool):
            on_change(data)

    el = rv.Slider(v_model=value, min=lo, max=hi, step=step, thumb_label=False, hide_details=True, dense=False)
    rv.use_event(el, "change", changed)
    return el


@solara.component
def Levers(ctl: Controller):
    lang, settings = ctl.lang.value, ctl.settings.value
    for group in GROUPS:
        with solara.Details(i18n.t(f"group_{group}", lang), expand=group == "principles"):
            for lv in (x for x in LEVERS if x.group == group):
                key = f"levers.{lv.id}"
                prefix = ("Atelier" if lang == "fr" else "Workshop") if group == "additions" else \
                    ("Charte" if lang == "fr" else "Charter")
                sep = " : " if lang == "fr" else ": "
                value = float(_current(settings, key))
                with solara.Tooltip(f"{prefix}{sep}« {lv.charter} »"):
                    with solara.Column(classes=[f"lever-{lv.id}"], gap="0px"):
                        solara.Text(f"{i18n.lever_label(lv.id, lang)}{sep}{i18n.number(value, lang, 1)}",
                                    classes=["alliance-slider-label"])
                        Slider(value, 0.0, 1.0, 0.1, lambda x, k=key: ctl.do({"kind": "set", "key": k,
                                                                               "value": round(float(x), 4)}))


@solara.component
def Draws(ctl: Controller):
    lang, (seeds, first_seed) = ctl.lang.value, ctl.draws.value

    def number(text: str):
        try:
            return int(text.strip())
        except ValueError:
            return text  # refused by session.apply, with a message in the page's language

    with solara.Row():
        solara.InputText(i18n.t("seeds", lang), value=str(seeds), continuous_update=False,
                         on_value=lambda text: ctl.do({"kind": "seeds", "n": number(text)}))
        solara.InputText(i18n.t("first_seed", lang), value=str(first_seed), continuous_update=False,
                         on_value=lambda text: ctl.do({"kind": "seeds", "first": number(text)}))


@solara.component
def ResetButton(ctl: Controller):
    """Reset in two presses: the first asks to confirm, so a mis-click loses nothing."""
    lang = ctl.lang.value
    asked, set_asked = solara.use_state(False)

    def press():
        if asked:
            ctl.do({"kind": "reset"})
        set_asked(not asked)

    solara.Button(i18n.t("reset_confirm" if asked else "reset", lang), outlined=not asked,
                  color="error" if asked else None, on_click=press, classes=["alliance-reset"])
    if asked:
        solara.Button(i18n.t("cancel", lang), text=True, on_click=lambda: set_asked(False))


@solara.component
def Log(ctl: Controller):
    lang = ctl.lang.value
    _ = ctl.logged.value  # redraw when an event is logged
    with solara.Details(i18n.t("log", lang)):
        if not ctl.log.events:
            solara.Text(i18n.t("nothing_logged", lang))
        if ctl.saved_to is not None:
            solara.Text(i18n.t("saved_to", lang, d=_folder(ctl.saved_to.parent), f=ctl.saved_to.name),
                        classes=["alliance-saved"])
        items = "".join(f"<li>{html.escape(i18n.number(e['t'], lang, 0))} s · {html.escape(session.describe(e, lang))}</li>"
                        for e in ctl.log.events[-30:])
        if items:
            solara.HTML("ul", unsafe_innerHTML=items, classes=["alliance-log"])


def _folder(path: Path) -> str:
    """A folder as a facilitator finds it: from her home folder ("Documents/alliance-seances")."""
    try:
        return str(path.resolve().relative_to(Path.home().resolve()))
    except ValueError:
        return str(path)


@solara.component
def Glossary(lang: str):
    with solara.Details(i18n.t("glossary", lang)):
        for term_fr, def_fr, term_en, def_en in i18n.GLOSSARY:
            term, text = (term_fr, def_fr) if lang == "fr" else (term_en, def_en)
            solara.HTML("p", unsafe_innerHTML=f"<b>{html.escape(term)}</b> : {html.escape(text)}"
                        if lang == "fr" else f"<b>{html.escape(term)}</b>: {html.escape(text)}")


@solara.component
def Subtitle(ctl: Controller):
    lang, (seeds, _) = ctl.lang.value, ctl.draws.value
    ter = BASE.territories
    solara.Text(i18n.t("subtitle", lang, n=seeds, t=len(ter.records) if ter.records else ter.count)
                + ("" if SCENARIO == "baseline" else " " + i18n.t("scenario_loaded", lang, s=SCENARIO)))


@solara.component
def Message(ctl: Controller):
    if ctl.message.value:
        solara.Error(ctl.message.value, classes=["alliance-message"])


@solara.component
def ReplayBar(ctl: Controller):
    lang, k = ctl.lang.value, ctl.step.value
    solara.Info(i18n.t("replaying", lang, f=ctl.replay_note[0], n=ctl.replay_note[1]))
    solara.Text(i18n.t("step", lang), classes=["alliance-slider-label"])
    Slider(k, 0, len(ctl.replayed), 1, lambda x: ctl.go_to_step(int(round(x))))  # replayed where released
    said = session.describe(ctl.replayed[k - 1], lang) if 0 < k <= len(ctl.replayed) else i18n.t("step_start", lang)
    solara.Text(i18n.t("step_said", lang, k=k, n=len(ctl.replayed), what=said), classes=["alliance-step"])


@solara.component
def Page():
    router = solara.use_router()
    ctl = solara.use_memo(Controller, [])
    ctl.render_context = reacton.core.get_render_context(required=False)
    projector, set_projector = solara.use_state(False)

    def start():
        ctl.start(router.search or "")

    solara.use_effect(start, [])
    lang = ctl.lang.value  # the page itself redraws only when the language changes
    solara.Title(i18n.t("title", lang))
    Address(ctl)
    if projector:
        solara.Style(PROJECTOR_CSS)
    with solara.Column(style={"padding": "12px", "max-width": "1400px"},
                       classes=["alliance-page"] + (["alliance-projector"] if projector else [])):
        with solara.Row(style={"align-items": "center", "gap": "16px"}):
            solara.HTML("h1", i18n.t("title", lang))
            solara.Button(i18n.t("switch_lang", lang), outlined=True, classes=["alliance-lang"],
                          on_click=lambda: ctl.do({"kind": "lang", "value": "en" if lang == "fr" else "fr"}))
            solara.Switch(label=i18n.t("projector", lang), value=projector, on_value=set_projector,
                          classes=["alliance-projector-switch"])
        if not projector:
            Subtitle(ctl)
        Message(ctl)
        if ctl.replay_note:
            ReplayBar(ctl)
        if not projector:
            solara.HTML("h2", i18n.t("cards", lang))
            solara.Text(i18n.t("cards_help", lang))
        CardRow(ctl)
        if projector:  # the room reads the cards, the answers side by side and the table, in large type
            Answers(ctl, projector=True)
            SideBySide(ctl, projector)
            return
        with solara.Columns([5, 7]):
            with solara.Column():
                Answers(ctl)
                with solara.Details(i18n.t("knobs", lang)):
                    Knobs(ctl)
                    Draws(ctl)
                solara.HTML("h3", i18n.t("levers", lang))
                Levers(ctl)
            with solara.Column():
                SideBySide(ctl, projector)
                with solara.Row():
                    solara.FileDownload(ctl.export, filename=f"seance-alliance-{time.strftime('%Y-%m-%d-%Hh%M')}.zip",
                                        label=i18n.t("export", lang))
                    ResetButton(ctl)
                solara.Text(i18n.t("export_hint", lang), style={"font-size": "0.85em", "color": "#555"})
                Log(ctl)
                Glossary(lang)
        Territories(ctl)


#: Projector mode: large cards, titles and answers for the back of the room, sized so that the
#: cards and the answers fit a 1280x720 projector (tests/test_demo_browser.py measures it).
PROJECTOR_CSS = """
.alliance-projector h1 { font-size: 2.2em; margin: 0; }
.alliance-projector h2 { font-size: 1.4em; margin: 0.3em 0 0.1em; }
.alliance-projector h3 { font-size: 1.4em; margin: 0.1em 0; }
.alliance-projector .alliance-cards { gap: 6px !important; }
.alliance-projector .alliance-card { font-size: 1.1em !important; height: auto !important; min-height: 40px;
  padding: 4px 10px !important; text-transform: none; letter-spacing: 0; }
.alliance-projector .alliance-answer { font-size: 1.15em; line-height: 1.25; }
.alliance-projector .alliance-answer ul { margin: 0.1em 0; padding-left: 1.1em; }
.alliance-projector .alliance-interval { font-size: 0.85em; }
.alliance-projector .alliance-changes { font-size: 0.75em; margin: 0; }
.alliance-projector .alliance-compare-answer { font-size: 1.15em; line-height: 1.25; }
.alliance-projector .alliance-same { font-size: 0.8em; color: #444; margin: 0.1em 0; }
.alliance-projector .alliance-timing, .alliance-projector .alliance-answers-title { display: none; }
"""
