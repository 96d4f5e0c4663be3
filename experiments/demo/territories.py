"""Seeing the territories: one run recorded month by month, drawn as a map and told as stories.

The Mesa model is stepped one month at a time (``AllianceModel.step``, the same monthly kernel
as a batch run, so the run is the one the side-by-side table counts for that seed) and read
after each month through its public state: the territories' unmet needs, the alliances' rows
(status, territory, holder, need, partners), the local officials' rows and the month's
completions (``AllianceModel.completions``). Nothing is written to the model.

How an alliance ended is read from what changed in its month (the model keeps no reason):
- it reached the end of its project: succeeded or not, as the model's completion says;
- the partners' official lost the municipal election that month: the new team withdrew;
- it had agreed but never started (the money to start or the holder's time never came);
- it was still looking for partners (too few joined before the holder gave up);
- it was acting and stopped before its end (partners left, a conflict, a setback, or the
  residents' opposition blocked it).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from simulation import AllianceModel, Params

from . import i18n

SEARCHING, AGREED, ACTING = 1, 2, 3  # an alliance's stages (simulation.state)
KINDS = ("state", "foundation", "firm", "association", "official")
#: Actors are told apart by their shape, all in one dark colour, so that colour says only what
#: became of an alliance (facilitator review 12b, finding 9: fates reused the actors' colours).
ACTOR_COLOUR = "#2c3e50"
KIND_SYMBOLS = {"official": "triangle", "association": "circle", "firm": "rect", "foundation": "diamond",
                "state": "arrow"}
FATE_COLOURS = {"success": "#1a9850", "no_result": "#8c8c8c", "election": "#d7191c",
                "never_started": "#f4a81d", "no_partners": "#c7c7c7", "stopped": "#7b3294",
                "ongoing": "#2c7bb6"}
#: Room each territory's disc and ring of actors takes on the schéma, in units of the unit square.
FOOTPRINT = 0.055
FATES = tuple(FATE_COLOURS)
DIMS = ("economic", "social", "environmental")


@dataclass(frozen=True)
class Alliance:
    territory: int
    dim: int  # the need it works on (DIMS)
    start: int  # month it was first seen (the model's month index, from 0)
    end: int | None  # month it ended, None if still going at the end of the run
    holder: int  # actor index
    partners: tuple[int, ...]  # every actor that held a seat, holder first
    stage: int  # furthest stage reached: SEARCHING, AGREED or ACTING
    fate: str  # one of FATES


@dataclass(frozen=True)
class Election:
    month: int
    territory: int
    changed: bool  # the local executive changed
    stopped: int  # alliances the new team's withdrawal ended that month


@dataclass(frozen=True)
class Record:
    """One run, month by month: what the map and the stories are drawn from."""

    months: int
    xy: np.ndarray  # (territories, 2) in the unit square
    region: np.ndarray  # (territories,)
    fragility: np.ndarray  # (territories,)
    needs: np.ndarray  # (months + 1, territories, 3) unmet need: at the start, then after each month
    kinds: tuple[str, ...]  # per actor
    actor_territory: np.ndarray  # per actor, -1 national or regional
    actor_region: np.ndarray  # per actor, -1 national
    alliances: tuple[Alliance, ...]
    elections: tuple[Election, ...]
    names: tuple[str, ...] = ()  # the territories' names when read from a table, else none

    @property
    def n_territories(self) -> int:
        return len(self.xy)


def _open(rows: dict[int, dict[str, Any]], i: int, ini, members, t: int) -> None:
    rows[i] = {"territory": int(ini["territory"][i]), "dim": int(ini["dim"][i]), "start": t,
               "holder": int(ini["holder"][i]), "stage": int(ini["status"][i]),
               "partners": [int(a) for a in members[i] if a >= 0]}


def _close(rows, i: int, month: int | None, fate: str, out: list[Alliance]) -> None:
    r = rows.pop(i)
    partners = [r["holder"], *(a for a in r["partners"] if a != r["holder"])]
    out.append(Alliance(r["territory"], r["dim"], r["start"], month, r["holder"],
                        tuple(dict.fromkeys(partners)), r["stage"], fate))


def record(params: dict[str, Any] | Params) -> Record:
    """Run ``params`` (its own seed) month by month and keep what the map and stories need."""
    model = AllianceModel(params)
    s = model.state
    ter, ini, members = s.territories, s.initiatives, s.members
    months = model.params.run.months
    cycle = model.params.time.electoral_cycle_months
    officials = ter["official"].copy()
    agents = sorted(model.agents, key=lambda a: a.index)
    needs = [s.needs.copy()]
    rows: dict[int, dict[str, Any]] = {}
    done: list[Alliance] = []
    elections: list[Election] = []
    for m in range(months):
        status0 = ini["status"].copy()
        key0 = np.stack([ini["territory"], ini["holder"], ini["dim"]], axis=1)
        acting0, duration0 = ini["acting"].copy(), ini["duration"].copy()
        members0 = members.copy()
        path0 = s.actors["path"][officials].copy()
        model.step()
        month = m  # the model's month index (the series' "month"): elections fall on cycle multiples
        voted = [t for t in range(len(ter)) if m > 0 and (m - ter["election_offset"][t]) % cycle == 0]
        changed = {t for t in voted if s.actors["path"][officials[t]] != path0[t]}
        finished = {}
        for t, dim, ok in model.completions():
            finished.setdefault((t, dim), []).append(ok)
        status1 = ini["status"]
        key1 = np.stack([ini["territory"], ini["holder"], ini["dim"]], axis=1)
        same = (status0 > 0) & (status1 > 0) & (status1 >= status0) & (key0 == key1).all(axis=1) \
            & (ini["acting"] >= acting0)
        stopped_by_vote = dict.fromkeys(changed, 0)
        for i in np.flatnonzero((status0 > 0) & ~same):
            t, st = int(key0[i, 0]), int(status0[i])
            due = st == ACTING and acting0[i] + 1 >= duration0[i]
            outcome = finished.get((t, int(key0[i, 2])))
            if due and outcome:
                fate = "success" if outcome.pop(0) else "no_result"
            elif st >= AGREED and t in changed and officials[t] in members0[i]:
                fate = "election"
                stopped_by_vote[t] += 1
            elif st == ACTING:
                fate = "stopped"
            elif st == AGREED:
                fate = "never_started"
            else:
                fate = "no_partners"
            if i in rows:
                _close(rows, int(i), month, fate, done)
        for i in np.flatnonzero((status1 > 0) & ~same):
            _open(rows, int(i), ini, members, month)
        for i in np.flatnonzero(same):
            r = rows[int(i)]
            r["stage"] = max(r["stage"], int(status1[i]))
            r["partners"].extend(int(a) for a in members[i] if a >= 0 and a not in r["partners"])
        elections += [Election(month, t, t in changed, stopped_by_vote.get(t, 0)) for t in voted]
        needs.append(s.needs.copy())
    for i in list(rows):
        _close(rows, i, None, "ongoing", done)
    done.sort(key=lambda a: (a.territory, a.start))
    return Record(months, np.stack([ter["x"], ter["y"]], axis=1), ter["region"].copy(),
                  ter["fragility"].copy(), np.array(needs), tuple(a.kind for a in agents),
                  s.actors["territory"].copy(), s.actors["region"].copy(), tuple(done),
                  tuple(elections), tuple(r.name for r in model.params.territories.records or ()))


@lru_cache(maxsize=32)
def _record_frozen(frozen: str) -> Record:
    return record(json.loads(frozen))


def recorded(params: dict[str, Any]) -> Record:
    """:func:`record`, cached on the parameters (seed included)."""
    return _record_frozen(json.dumps(params, sort_keys=True))


# --- the map -----------------------------------------------------------------------------

def layout(rec: Record) -> np.ndarray:
    """Where each territory is drawn: its place in the model, pushed apart until no two discs (with
    their ring of actors) and no regional foundation overlap; it stays near its place, so
    neighbours stay neighbours. A schéma, not a map."""
    regions = sorted({int(r) for r in rec.region})
    centres = np.array([rec.xy[rec.region == r].mean(axis=0) for r in regions]).reshape(-1, 2)
    pts = np.vstack([rec.xy, centres]).astype(float)
    n = len(pts)
    gap = 2 * FOOTPRINT
    rng = np.random.default_rng(0)  # only to part points that sit exactly on each other
    for _ in range(400):
        diff = pts[:, None, :] - pts[None, :, :]
        dist = np.sqrt((diff ** 2).sum(axis=2)) + np.eye(n)
        close = (dist < gap) & ~np.eye(n, dtype=bool)
        if not close.any():
            break
        same = dist < 1e-9
        diff[same] = rng.normal(size=(int(same.sum()), 2)) * 1e-3
        push = np.where(close, (gap - dist) / 2 / np.maximum(dist, 1e-9), 0.0)
        pts += (diff * push[:, :, None]).sum(axis=1) * 0.6
        pts = np.clip(pts, FOOTPRINT, 1 - FOOTPRINT)
    return pts


def _actor_positions(rec: Record, where: np.ndarray) -> np.ndarray:
    """Each actor on a small ring around its territory (drawn at ``where``); regional foundations
    at their region's place in ``where``; the State and national foundations in a row above."""
    pos = np.zeros((len(rec.kinds), 2))
    for t in range(rec.n_territories):
        local = np.flatnonzero(rec.actor_territory == t)
        angles = 2 * np.pi * np.arange(len(local)) / max(len(local), 1)
        pos[local, 0] = where[t, 0] + 0.035 * np.cos(angles)
        pos[local, 1] = where[t, 1] + 0.035 * np.sin(angles)
    regions = sorted({int(r) for r in rec.region})
    regional = np.flatnonzero((rec.actor_territory < 0) & (rec.actor_region >= 0))
    for a in regional:
        r = int(rec.actor_region[a])
        pos[a] = where[rec.n_territories + regions.index(r)] if r in regions else (0.5, 0.5)
    national = np.flatnonzero(rec.actor_region < 0)
    pos[national, 0] = np.linspace(0.3, 0.7, len(national)) if len(national) > 1 else 0.5
    pos[national, 1] = 1.12
    return pos


def kind_label(kind: str, lang: str, plural: bool = False) -> str:
    return i18n.t(f"kind.{kind}{'s' if plural else ''}", lang)


def territory_name(rec: Record, t: int, lang: str) -> str:
    """"Territoire 3", or "Territoire 3 : CC du Val de Saône" when the territories are named."""
    name = i18n.t("territory_n", lang, n=t + 1)
    return f"{name}{' : ' if lang == 'fr' else ': '}{rec.names[t]}" if t < len(rec.names) else name


def map_option(rec: Record, lang: str, selected: int | None = None) -> dict:
    """An ECharts graph on fixed axes (x, y in the unit square, :func:`layout`): territories as
    large discs, actors around them shaped by type, one line from each alliance's holder to each partner,
    coloured by what became of the alliance. Clicking a disc names its territory."""
    where = layout(rec)
    pos = _actor_positions(rec, where)
    categories = [{"name": kind_label(k, lang, True), "symbol": KIND_SYMBOLS[k], "itemStyle": {"color": ACTOR_COLOUR}}
                  for k in KINDS]
    cat = {k: j for j, k in enumerate(KINDS)}
    nodes = []
    for t in range(rec.n_territories):
        chosen = t == selected
        nodes.append({"name": territory_name(rec, t, lang), "value": [float(where[t, 0]), float(where[t, 1])],
                      "territory": t, "symbolSize": 26, "category": len(KINDS),  # chosen: a thicker ring, not a
                      # larger disc that would cover its own actors (review 12c)
                      "itemStyle": {"color": "#f4f6f6", "borderColor": "#17202a" if chosen else "#95a5a6",
                                    "borderWidth": 4 if chosen else 1},
                      "label": {"show": True, "formatter": str(t + 1), "fontSize": 11}, "z": 1})
    for a, kind in enumerate(rec.kinds):
        nodes.append({"name": f"{kind_label(kind, lang)} {a + 1}", "value": [float(pos[a, 0]), float(pos[a, 1])],
                      "category": cat[kind], "symbol": KIND_SYMBOLS[kind],
                      "symbolSize": 12 if kind in ("state", "foundation") else 7,
                      "territory": int(rec.actor_territory[a])})
    first_actor = rec.n_territories
    links = []
    for al in rec.alliances:
        if al.stage < AGREED:
            continue
        for a in al.partners[1:]:
            links.append({"source": first_actor + al.holder, "target": first_actor + a,
                          "lineStyle": {"color": FATE_COLOURS[al.fate], "width": 1.5, "opacity": 0.55}})
    categories.append({"name": i18n.t("territories", lang), "itemStyle": {"color": "#f4f6f6"}})
    return {
        "animation": False,
        "tooltip": {"show": True},
        # the legend shows each type's shape (its icon), as the schéma draws it
        "legend": {"data": [{"name": c["name"], "icon": c["symbol"]} for c in categories[:-1]], "bottom": 0},
        "grid": {"left": 20, "right": 20, "top": 20, "bottom": 40},
        "xAxis": {"type": "value", "min": -0.06, "max": 1.06, "show": False},
        "yAxis": {"type": "value", "min": -0.06, "max": 1.18, "show": False},
        "series": [{"type": "graph", "coordinateSystem": "cartesian2d", "layout": "none",
                    "data": nodes, "links": links, "categories": categories, "roam": False,
                    "emphasis": {"focus": "none"}, "edgeSymbol": ["none", "none"]}],
    }


def clicked_territory(data: Any) -> int | None:
    """The territory of a click on the map (a disc or one of its actors), or None."""
    if not isinstance(data, dict):
        return None
    item = data.get("data", data)
    t = item.get("territory") if isinstance(item, dict) else None
    return t if isinstance(t, int) and not isinstance(t, bool) and t >= 0 else None


# --- the story ---------------------------------------------------------------------------

def needs_option(rec: Record, t: int, lang: str) -> dict:
    """The territory's three unmet needs month by month."""
    colours = ("#2471a3", "#c0392b", "#27ae60")
    series = [{"type": "line", "name": i18n.t(f"need.{d}", lang), "showSymbol": False,
               "data": [[m, round(float(v), 3)] for m, v in enumerate(rec.needs[:, t, j])],
               "lineStyle": {"color": c, "width": 2}, "itemStyle": {"color": c}}
              for j, (d, c) in enumerate(zip(DIMS, colours, strict=True))]
    return {"animation": False,
            "title": {"text": i18n.t("needs_title", lang), "left": "center", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
            "grid": {"left": 45, "right": 15, "top": 35, "bottom": 55},
            "xAxis": {"type": "value", "min": 0, "max": rec.months, "name": i18n.t("month", lang),
                      "nameLocation": "middle", "nameGap": 22},
            "yAxis": {"type": "value", "min": 0, "max": 1},
            "series": series}


def _people(rec: Record, actors: tuple[int, ...], t: int, lang: str) -> str:
    """The partners in plain words: "une association, 2 entreprises et la fondation régionale"."""
    counts: dict[str, int] = {}
    for a in actors:
        kind = rec.kinds[a]
        if kind == "foundation":
            kind = "regional_foundation" if rec.actor_region[a] >= 0 else "national_foundation"
        counts[kind] = counts.get(kind, 0) + 1
    parts = [i18n.count(f"who.{k}", n, lang) for k, n in counts.items()]
    joiner = " et " if lang == "fr" else " and "
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + joiner + parts[-1]


def story(rec: Record, t: int, lang: str) -> dict[str, Any]:
    """Territory ``t``'s story in plain words: who is there, its needs from start to end, its
    alliances and what became of them, its elections. Returns ``{"title", "facts",
    "alliances", "elections"}`` (lists of sentences)."""
    fr = lang == "fr"
    n = lambda x, d=2: i18n.number(x, lang, d)  # noqa: E731
    kinds = [rec.kinds[a] for a in np.flatnonzero(rec.actor_territory == t)]
    frag = float(rec.fragility[t])
    level = "fragile" if frag >= 0.6 else "middle" if frag >= 0.4 else "sturdy"
    facts = [i18n.t("who_is_here", lang, o=kinds.count("official"), a=kinds.count("association"),
                    f=kinds.count("firm"), r=int(rec.region[t]) + 1),
             i18n.t(f"fragility.{level}", lang, x=n(frag))]
    start, end = rec.needs[0, t], rec.needs[-1, t]
    parts = []
    for j, d in enumerate(DIMS):
        change = (end[j] - start[j]) / start[j] * 100 if start[j] > 0 else 0.0
        parts.append(i18n.t("need_line", lang, need=i18n.t(f"need.{d}", lang), a=n(start[j]), b=n(end[j]),
                            c=i18n.percent(change, lang, 0, True)))
    facts.append(i18n.t("needs_intro", lang, m=rec.months) + " " + ("; " if not fr else " ; ").join(parts) + ".")
    facts.append(i18n.t("needs_grow", lang))
    mine = [al for al in rec.alliances if al.territory == t]
    # "of these" counts the alliances that brought their partners together: they add up to ``formed``
    counts = {f: sum(al.fate == f for al in mine if al.stage >= AGREED) for f in FATES}
    formed = sum(al.stage >= AGREED for al in mine)
    summary = i18n.count("alliances_summary", len(mine), lang, f=formed, y=i18n.number(rec.months / 12, lang, 0))
    detail = [i18n.count(f"fate_count.{f}", counts[f], lang) for f in FATES if counts[f]]
    facts.append(summary + (" " + i18n.t("of_which", lang) + " " + ", ".join(detail) + "." if detail else ""))
    lines = []
    for al in mine:
        if al.stage < AGREED and al.fate == "no_partners":
            continue  # counted above; the list keeps the alliances that came together
        when = (i18n.t("from_to", lang, a=al.start, b=al.end) if al.end is not None
                else i18n.t("from_on", lang, a=al.start))
        holder = _people(rec, (al.holder,), t, lang)
        others = al.partners[1:]
        withwho = i18n.t("with", lang, who=_people(rec, others, t, lang)) if others else ""
        lines.append(i18n.t("alliance_line", lang, when=when, need=i18n.t(f"need.{DIMS[al.dim]}", lang),
                            holder=holder, withwho=withwho, fate=i18n.t(f"fate.{al.fate}", lang)))
    votes = [e for e in rec.elections if e.territory == t]
    elections = []
    for e in votes:
        text = i18n.t("vote_changed" if e.changed else "vote_kept", lang, m=e.month)
        if e.stopped:
            text += " " + i18n.count("vote_stopped", e.stopped, lang)
        elections.append(text)
    if not votes:
        elections.append(i18n.t("no_vote", lang, m=rec.months))
    return {"title": territory_name(rec, t, lang), "facts": facts, "alliances": lines, "elections": elections}


def story_html(st: dict[str, Any], lang: str) -> str:
    """The story as a small block of HTML (headings and lists, every text escaped)."""
    e = html.escape
    out = [f"<h3>{e(st['title'])}</h3>", "<ul>", *(f"<li>{e(x)}</li>" for x in st["facts"]), "</ul>"]
    out.append(f"<h4>{e(i18n.t('its_alliances', lang))}</h4>")
    out.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in st["alliances"]) + "</ul>"
               if st["alliances"] else f"<p>{e(i18n.t('no_alliance', lang))}</p>")
    out.append(f"<h4>{e(i18n.t('its_elections', lang))}</h4>")
    out.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in st["elections"]) + "</ul>")
    return "".join(out)
