"""The workshop session as data: its state, the events that change it, replay and export.

The state of the page is a pure function of the events logged since the start: replaying a
session applies the same events to a fresh state (``replay``), so ``alliance demo --replay
SESSION`` shows what the room saw. Every event is checked before it is applied; a bad one
raises InputError with a plain message and leaves the state as it was (the page shows the
message and keeps the last good state).
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from experiments.io.errors import InputError
from simulation import ParameterError, Params
from simulation.params import REGIMES, RULES

from . import cards as card_table
from . import i18n

FORMAT = "alliance-demo-session/1"
MAX_CARDS = 3  # with the reference, four scenarios side by side
MAX_SEEDS = 200

#: Structural knobs shown under the cards: dotted key -> allowed choices (None: a number).
KNOBS: dict[str, tuple[str, ...] | None] = {
    "governance.rule": RULES,
    "funding.regime": REGIMES,
    "governance.charter": ("voluntary", "imposed"),
    "governance.macro_steering": None,
    "funding.national_budget_scale": None,
    "funding.budget_scale": None,
    "time.electoral_cycle_months": None,
    "time.project_duration_months": None,
    "time.grant_duration_months": None,
}

#: How each numeric knob moves on the page: (min, max, step); a lever moves from 0 to 1.
RANGES: dict[str, tuple[float, float, float]] = {
    "governance.macro_steering": (0.0, 1.0, 0.05),
    "funding.national_budget_scale": (0.0, 4.0, 0.25),
    "funding.budget_scale": (0.0, 4.0, 0.25),
    "time.electoral_cycle_months": (12, 120, 12),
    "time.project_duration_months": (6, 120, 6),
    "time.grant_duration_months": (12, 60, 12),
}
LEVER_RANGE = (0.0, 1.0, 0.1)


def label(key: str, lang: str) -> str:
    """A knob's or a lever's name on the page (its dotted key when it has none)."""
    section, _, name = key.partition(".")
    if section == "levers" and name in i18n._LEVER:
        return i18n.lever_label(name, lang)
    return i18n.t(key, lang) if key in i18n.WORDS else key


def _said(fr: str, en: str, lang: str) -> str:
    return fr if lang == "fr" else en


_MODEL_KEYS = {section: tuple(values) for section, values in Params().model_dump().items() if isinstance(values, dict)}


def _check_setting(key: str, value: Any, lang: str) -> None:
    """Refuse, in the page's words, a setting the page does not offer: an unknown key (with the
    closest name), a choice not in the list, a number outside the slider's range."""
    import difflib

    from simulation import LEVERS

    keys = [*KNOBS, *(f"levers.{lv.id}" for lv in LEVERS)]
    section, _, name = key.partition(".")
    if key not in keys and name in _MODEL_KEYS.get(section, ()):
        return  # a parameter the page does not show (set in the address): the model checks it
    if key not in keys:
        by_name = {k.rpartition(".")[2]: k for k in keys}
        close = (difflib.get_close_matches(key, keys, n=1, cutoff=0.75)
                 or [by_name[c] for c in difflib.get_close_matches(key.rpartition(".")[2], by_name, n=1, cutoff=0.75)])
        hint = _said(f" ; vouliez-vous dire « {label(close[0], 'fr')} » ?", f"; did you mean \"{label(close[0], 'en')}\"?",
                     lang) if close else ""
        raise InputError(_said(f"réglage {key!r} inconnu : attendu un levier ou une règle du jeu de la page{hint}",
                               f"setting {key!r} unknown: expected a lever or a rule of the game of the page{hint}", lang))
    name = label(key, lang)
    choices = KNOBS.get(key)
    if choices:
        if value not in choices:
            listed = ", ".join(f"« {i18n.t(c, lang)} »" if lang == "fr" else f'"{i18n.t(c, lang)}"' for c in choices)
            raise InputError(_said(f"« {name} » : attendu {listed} ; reçu {value!r}",
                                   f'"{name}": expected {listed}; found {value!r}', lang))
        return
    lo, hi, _ = RANGES.get(key, LEVER_RANGE)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not lo <= value <= hi:  # NaN fails both comparisons
        a, b = i18n.number(lo, lang, 0 if lo == int(lo) else 2), i18n.number(hi, lang, 0 if hi == int(hi) else 2)
        raise InputError(_said(f"« {name} » : attendu un nombre de {a} à {b} ; reçu {value!r}",
                               f'"{name}": expected a number from {a} to {b}; found {value!r}', lang))


@dataclass(frozen=True)
class State:
    lang: str = "fr"
    settings: dict[str, Any] = field(default_factory=dict)  # dotted overrides of the reference
    cards: tuple[str, ...] = ()  # pressed "Et si ?" cards, in order
    seeds: int = 20
    first_seed: int = 0
    territory: int = 0  # the territory whose story is shown (0-based)
    story_of: str = "reference"  # the scenario it is told in: "reference" or a pressed card
    compare: tuple[str, ...] = ()  # two pressed cards compared with each other (chosen on the page)

    def pair(self) -> tuple[str, str] | None:
        """The two questions compared with each other: the pair chosen, else the first two pressed."""
        if len(self.compare) == 2 and all(c in self.cards for c in self.compare):
            return self.compare[0], self.compare[1]
        return (self.cards[0], self.cards[1]) if len(self.cards) >= 2 else None

    def story_params(self, base: Params) -> Params:
        """The parameters of the story shown: its scenario, on the first draw."""
        p = self.reference_params(base) if self.story_of not in self.cards else self.scenario_params(base, self.story_of)
        return p.with_overrides({"run.seed": self.first_seed}, source="story")

    def reference_params(self, base: Params) -> Params:
        return base.with_overrides(self.settings, source="settings") if self.settings else base

    def scenario_params(self, base: Params, card_id: str) -> Params:
        card = card_table.BY_ID[card_id]
        return self.reference_params(base).with_overrides(card.overrides, source=f"card '{card_id}'")


def apply(state: State, event: dict[str, Any], base: Params) -> State:
    """``state`` after ``event``; InputError (state untouched) when the event is refused."""
    kind = event.get("kind")
    if kind == "lang":
        if event.get("value") not in i18n.LANGS:
            raise InputError(f"lang: expected one of fr, en; found {event.get('value')!r}")
        return dataclasses.replace(state, lang=event["value"])
    if kind == "card":
        cid = event.get("id")
        if not isinstance(cid, str) or cid not in card_table.BY_ID:
            import difflib

            close = difflib.get_close_matches(str(cid), card_table.BY_ID, n=1, cutoff=0.6)
            lang = state.lang
            hint = (_said(f" ; vouliez-vous dire « {card_table.BY_ID[close[0]].title('fr')} » ?",
                          f"; did you mean \"{card_table.BY_ID[close[0]].title('en')}\"?", lang) if close else "")
            raise InputError(_said(f"question {cid!r} inconnue : les questions sont les cartes « Et si ? » de la page{hint}",
                                   f"question {cid!r} unknown: the questions are the page's \"What if?\" cards{hint}",
                                   lang))
        if cid in state.cards:
            return dataclasses.replace(state, cards=tuple(c for c in state.cards if c != cid),
                                       compare=() if cid in state.compare else state.compare)
        if len(state.cards) >= MAX_CARDS:
            raise InputError(i18n.t("max_cards", state.lang, n=MAX_CARDS + 1))
        return dataclasses.replace(state, cards=(*state.cards, cid))
    if kind == "set":
        key, value = event.get("key"), event.get("value")
        if not isinstance(key, str):
            raise InputError(f"set: expected a dotted parameter key; found {key!r}")
        if key.startswith("run."):
            raise InputError(f"set: key '{key}': expected a model parameter; the draws are set apart")
        _check_setting(key, value, state.lang)
        settings = {**state.settings, key: value}
        try:
            params = base.with_overrides(settings, source="settings")
        except ParameterError as exc:
            raise InputError(str(exc)) from None
        from experiments.io.results import check_model_size

        check_model_size(params, f"set {key}")  # refused before the page allocates it
        return dataclasses.replace(state, settings=settings)
    if kind == "seeds":
        n, first = event.get("n", state.seeds), event.get("first", state.first_seed)
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_SEEDS:
            raise InputError(f"seeds: expected a whole number of draws from 2 to {MAX_SEEDS}; found {n!r}")
        if isinstance(first, bool) or not isinstance(first, int) or not 0 <= first <= 2**62:
            raise InputError(f"first seed: expected a whole number >= 0; found {first!r}")
        return dataclasses.replace(state, seeds=n, first_seed=first)
    if kind == "territory":
        t, of = event.get("n", state.territory + 1), event.get("of", state.story_of)
        count = state.reference_params(base).territories
        n_ter = len(count.records) if count.records else count.count
        if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= n_ter:
            raise InputError(f"territory: expected a territory number from 1 to {n_ter}; found {t!r}")
        if of != "reference" and of not in state.cards:
            raise InputError(f"territory: expected the story of the reference or of a question shown; found {of!r}")
        return dataclasses.replace(state, territory=t - 1, story_of=of)
    if kind == "compare":
        a, b = event.get("a"), event.get("b")
        if a == b or a not in state.cards or b not in state.cards:
            raise InputError(f"compare: expected two different questions shown; found {a!r} and {b!r}")
        return dataclasses.replace(state, compare=(a, b))
    if kind == "reset":
        return State(lang=state.lang)
    raise InputError(f"event: expected kind lang, card, set, seeds, territory, compare or reset; found {kind!r}")


class Log:
    """The session's events in order, each stamped with seconds since the session began."""

    def __init__(self, events: list[dict[str, Any]] | None = None):
        self.events: list[dict[str, Any]] = list(events or [])
        self._t0 = time.monotonic() - (self.events[-1]["t"] if self.events else 0.0)

    def add(self, event: dict[str, Any]) -> dict[str, Any]:
        """Log ``event`` stamped now; a replayed event keeps its stamp and the clock goes on
        from it."""
        if isinstance(event.get("t"), int | float):
            self._t0 = time.monotonic() - float(event["t"])
        stamped = {**event, "t": round(time.monotonic() - self._t0, 3)}
        self.events.append(stamped)
        return stamped

    def to_json(self, scenario: str) -> str:
        return json.dumps({"format": FORMAT, "scenario": scenario, "events": self.events},
                          ensure_ascii=False, indent=1)


def replay(events: list[dict[str, Any]], base: Params, state: State | None = None) -> State:
    """The state after ``events``; a refused event raises InputError naming its position."""
    state = state or State()
    for i, event in enumerate(events):
        try:
            state = apply(state, event, base)
        except InputError as exc:
            raise InputError(f"event {i + 1}: {exc}") from None
    return state


def read_session(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """``(scenario, events)`` from a session file (session.json) or an exported zip."""
    from experiments.io.scenarios import MAX_INPUT_BYTES, read_bytes

    if path.exists():  # a regular file of at most 10 MB: never /dev/zero or a pipe
        read_bytes(path, "session file (.json or exported .zip)")
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                if zf.getinfo("session.json").file_size > MAX_INPUT_BYTES:  # before inflating it
                    raise InputError(f"{path}: expected a session.json of at most "
                                     f"{MAX_INPUT_BYTES // 2**20} MB; found a larger one")
                text = zf.read("session.json").decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise InputError(f"{path}: expected a session file (.json or exported .zip); found no such file") from None
    except KeyError:
        raise InputError(f"{path}: expected a zip holding session.json; found none") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: expected a session file; found unreadable content ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("events"), list):
        raise InputError(f"{path}: key 'format': expected {FORMAT!r} with a list of events; "
                         f"found {data.get('format') if isinstance(data, dict) else type(data).__name__!r}")
    return str(data.get("scenario", "baseline")), data["events"]


def events_from_query(query: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Events asked for in the page address (``?lang=en&card=pooled_fund&set=levers.dialogue=0.8
    &seeds=30``) and the words that could not be read; nothing here is trusted yet."""
    events: list[dict[str, Any]] = []
    problems: list[str] = []
    from experiments.io.scenarios import parse_value

    for name, values in parse_qs(query.lstrip("?"), keep_blank_values=True).items():
        for value in values:
            if name == "lang":
                events.append({"kind": "lang", "value": value})
            elif name == "card":
                events.extend({"kind": "card", "id": v} for v in value.split(",") if v)
            elif name == "set":
                key, sep, raw = value.partition("=")
                try:
                    if not sep:
                        raise InputError(f"set {value!r}: expected KEY=VALUE")
                    events.append({"kind": "set", "key": key, "value": parse_value(raw, f"set {key}")})
                except InputError as exc:
                    problems.append(str(exc))
            elif name in ("seeds", "first"):
                try:
                    events.append({"kind": "seeds", "n" if name == "seeds" else "first": int(value)})
                except ValueError:
                    problems.append(f"{name}: expected a whole number; found {value!r}")
            elif name == "compare":
                a, _, b = value.partition(",")
                events.append({"kind": "compare", "a": a, "b": b})
            elif name == "seance":
                pass  # the saved session to reopen (app.Controller.start), not an event
            else:
                problems.append(f"address: unknown word '{name}'; expected lang, card, set, seeds, first or compare")
    # the language first, so messages are in it; the pair compared once its cards are pressed
    events.sort(key=lambda e: (e["kind"] != "lang") + (e["kind"] == "compare"))
    return events, problems


def to_query(state: State, default_lang: str = "fr", seance: str | None = None) -> str:
    """The page address's words for ``state`` (read back by ``events_from_query``), so that a
    reload reopens the same questions and settings; ``seance`` names the saved session file."""
    def raw(value: Any) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    words: list[tuple[str, str]] = []
    if state.lang != default_lang:
        words.append(("lang", state.lang))
    if state.cards:
        words.append(("card", ",".join(state.cards)))
    words += [("set", f"{key}={raw(value)}") for key, value in state.settings.items()]
    if state.seeds != State.seeds:
        words.append(("seeds", str(state.seeds)))
    if state.first_seed != State.first_seed:
        words.append(("first", str(state.first_seed)))
    if len(state.compare) == 2:
        words.append(("compare", ",".join(state.compare)))
    if seance:
        words.append(("seance", seance))
    return urlencode(words, safe=",=")


def export_zip(log_json: str, series_csv: str, figures: dict[str, bytes], handout: tuple[str, str]) -> bytes:
    """The session as a zip for the workshop report: session.json (replayable), series.csv,
    figures/*.png and the one-page hand-out ``handout`` = (file name, HTML)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("session.json", log_json)
        zf.writestr("series.csv", series_csv)
        for name, png in figures.items():
            zf.writestr(f"figures/{name}", png)
        zf.writestr(handout[0], handout[1])
    return buf.getvalue()


def describe(event: dict[str, Any], lang: str) -> str:
    """One logged event in plain words, for the page's session log."""
    fr = lang == "fr"
    kind = event.get("kind")
    if kind == "card" and isinstance(event.get("id"), str) and event["id"] in card_table.BY_ID:
        return f"{i18n.t('cards', lang)} {card_table.BY_ID[event['id']].title(lang)}"
    if kind == "set":
        key = str(event.get("key"))
        section, _, name = key.partition(".")
        if section == "levers" and name in i18n._LEVER:
            label = i18n.lever_label(name, lang)
        else:
            label = i18n.t(key, lang) if key in i18n.WORDS else key
        value = event.get("value")
        if isinstance(value, str) and value in i18n.WORDS:
            shown = i18n.t(value, lang)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # an int too large for a float (typed in the address) is shown as it was typed
            shown = (str(value) if isinstance(value, int) and abs(value) > 2**53 else
                     f"{value:g}".replace(".", "," if lang == "fr" else "."))
        else:
            shown = value
        if label.endswith("…"):  # "La Charte, là où on la pratique, est… = imposée": say it as a sentence
            return f"{label.removesuffix('…')} {shown}"
        return f"{label} = {shown}"
    if kind == "seeds":
        return (f"{i18n.t('seeds', lang)} : {event.get('n', '')} {i18n.t('first_seed', lang)} : {event.get('first', '')}"
                if fr else f"{i18n.t('seeds', lang)}: {event.get('n', '')} {i18n.t('first_seed', lang)}: "
                f"{event.get('first', '')}").replace("  ", " ")
    if kind == "territory":
        of = event.get("of")
        told = (i18n.t("reference_short", lang) if of in (None, "reference") else
                card_table.BY_ID[of].title(lang) if of in card_table.BY_ID else str(of))
        return f"{i18n.t('story_of', lang, n=event.get('n', '?'))} ({told})"
    if kind == "lang":
        return "Français" if event.get("value") == "fr" else "English"
    if kind == "compare":
        titles = [card_table.BY_ID[c].title(lang) if isinstance(c, str) and c in card_table.BY_ID else str(c)
                  for c in (event.get("a"), event.get("b"))]
        return i18n.t("compare_log", lang, a=titles[0], b=titles[1])
    if kind == "reset":
        return i18n.t("reset", lang)
    return str(event)
