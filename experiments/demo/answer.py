"""Run the reference and the "Et si ?" scenarios on common seeds and say the answer in plain words.

Every scenario runs the same seeds (common random numbers), so each seed gives one paired
difference scenario - reference per outcome; the answer is the mean of those differences
with a Student-t interval. One question is answered on FAMILY indicators at once, so the
intervals are simultaneous (Bonferroni: each at 1 - 5 %/FAMILY, together at 95 %): a change is
called established only when it holds with the others, not because one of nine tests came out
under 5 % by chance (facilitator review 12b, finding 7). Counts and need units
are said relative to the reference's mean ("23 % de plus"); shares in percentage points
("5 points de plus"), 0-1 scores in their own unit ("0,02 de moins"); the interval goes on a
second line. When the interval contains 0 the
sentence says plainly that the model shows no change.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from experiments.execution.executor import run_model
from experiments.io.figures import outcome_label
from experiments.io.results import describe
from simulation import OUTCOMES

from . import i18n


@dataclass(frozen=True)
class Headline:
    key: str  # an outcome key (simulation.OUTCOME_KEYS)
    kind: str  # "relative" (counts, need units) or "points" (shares, 0-1 scores)


#: The indicators the answer speaks about, in order; the first three are the projector's.
HEADLINES: tuple[Headline, ...] = (
    Headline("impact", "relative"),
    Headline("alliance_survival", "points"),
    Headline("alliances_formed", "relative"),
    Headline("small_associations_participation", "points"),
    Headline("trust_micro_macro", "score"),
)

#: Further indicators, said folded under the answer ("why?", "and the small associations?").
MORE: tuple[Headline, ...] = (
    Headline("small_associations_funded", "relative"),
    Headline("missed_appointments", "relative"),
    Headline("application_success_rate", "points"),
    Headline("admin_burden", "points"),
)

#: The indicators one question speaks of (said and folded): the family its intervals cover together.
FAMILY = len(HEADLINES) + len(MORE)

#: Monthly series drawn side by side (simulation.outcomes.SERIES columns).
PLOTTED = ("impact", "alliances_active", "engagement", "trust_micro_macro")


@dataclass(frozen=True)
class Result:
    """One scenario over the seeds: per-seed summaries and the series' mean over seeds."""

    summaries: tuple[dict[str, float], ...]
    series: pd.DataFrame  # month + PLOTTED columns, mean over seeds
    runs: pd.DataFrame  # every seed's series, PLOTTED columns, with a 'seed' column


def _freeze(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


@lru_cache(maxsize=256)
def _run_frozen(frozen: str, seeds: tuple[int, ...]) -> Result:
    params = json.loads(frozen)
    summaries, frames = [], []
    for seed in seeds:
        task = {"params": {**params, "run": {**params["run"], "seed": seed}}, "series": True}
        out = run_model(task)
        summaries.append(out["summary"])
        frame = out["series"][["month", *PLOTTED]].copy()
        frame["seed"] = seed
        frames.append(frame)
    runs = pd.concat(frames, ignore_index=True)
    mean = runs.groupby("month", as_index=False)[list(PLOTTED)].mean()
    return Result(tuple(summaries), mean, runs)


def run_scenario(params: dict[str, Any], seeds: tuple[int, ...]) -> Result:
    """The model over ``seeds`` with the full parameter dict ``params`` (cached: pressing the
    same card twice costs nothing). Raises experiments.io.errors.RunFailed."""
    return _run_frozen(_freeze(params), tuple(seeds))


@dataclass(frozen=True)
class Difference:
    key: str
    kind: str  # "relative", "points", "score" or "absolute" (a relative change from a zero reference)
    reference: float  # the reference's mean, in the outcome's own unit
    mean: float  # mean paired difference, in the unit said (percent, points or score)
    low: float
    high: float
    n: int
    other: float = math.nan  # the other scenario's mean, in the outcome's own unit

    @property
    def no_change(self) -> bool:
        return not (self.low > 0 or self.high < 0)  # NaN (undefined in every seed): no change shown

    @property
    def negligible(self) -> bool:
        """Established but too small to matter in a room: under NEGLIGIBLE in the unit said."""
        return not self.no_change and abs(self.mean) < NEGLIGIBLE.get(self.kind, 0.0)

    @property
    def shown(self) -> bool:
        """Said as a change: established and not negligible."""
        return not self.no_change and not self.negligible


#: Smallest change said as one (facilitator review 12c, finding 8: "0,56 au lieu de 0,56"): 0.02
#: on a 0-1 score, 1 percentage point, 1 % of the reference; smaller established changes are said
#: "négligeable" (a threshold of practical importance, assumed for a workshop, not a statistic).
NEGLIGIBLE = {"score": 0.02, "points": 1.0, "relative": 1.0}


def difference(headline: Headline, reference: Result, other: Result) -> Difference:
    """The paired difference ``other - reference`` of one headline over common seeds, in percent
    of the reference's mean ("relative"), in percentage points ("points") or in the 0-1 score's
    own unit ("score")."""
    base = [s[headline.key] for s in reference.summaries]
    values = [s[headline.key] for s in other.summaries]
    diffs = [o - b for b, o in zip(base, values, strict=True)]
    stat = describe(diffs)
    if stat["sd"] is not None:  # widen to the simultaneous interval over the FAMILY indicators
        from scipy.special import stdtrit

        half = float(stdtrit(stat["n"] - 1, 1 - 0.025 / FAMILY)) * stat["sd"] / math.sqrt(stat["n"])
        stat = {**stat, "ci95_low": stat["mean"] - half, "ci95_high": stat["mean"] + half}
    defined = [b for b in base if b == b]  # NaN: undefined in that seed (simulation/outcomes.py)
    ref_mean = sum(defined) / len(defined) if defined else math.nan
    kind = headline.kind
    if kind == "relative" and ref_mean > 0:
        scale = 100.0 / ref_mean
    elif kind in ("relative", "score"):
        kind, scale = ("absolute" if kind == "relative" else kind), 1.0  # no relative change from a zero reference
    else:
        scale = 100.0
    mean = math.nan if stat["mean"] is None else stat["mean"]
    low = stat["ci95_low"] if stat["ci95_low"] is not None else mean
    high = stat["ci95_high"] if stat["ci95_high"] is not None else mean
    shown = [v for v in values if v == v]  # NaN: undefined in that seed
    return Difference(headline.key, kind, ref_mean, mean * scale, low * scale, high * scale,
                      int(stat["n"]), sum(shown) / len(shown) if shown else math.nan)


_UNIT = {o.key: o.unit for o in OUTCOMES}


def level(key: str, value: float, lang: str, unit: bool = True) -> str:
    """One indicator's level in plain words: a count as a whole number ("181"; "3,4" below 10),
    a share as "31 sur 100", a 0-1 score as "0,56", need units named ("7,1 unités de besoin")."""
    fr = lang == "fr"
    said = _UNIT.get(key, "")
    if said == "share":
        return i18n.number(100 * value, lang, 0) + ((" sur 100" if fr else " in 100") if unit else "")
    if said == "0-1":
        return i18n.number(value, lang, 2)
    text = i18n.number(value, lang, 0 if abs(value) >= 10 or value == int(value) else 1)
    if said == "need units" and unit:
        text += " unités de besoin" if fr else " need units"
    return text


def _amount(d: Difference, value: float, lang: str, signed: bool) -> str:
    """A difference with its unit: "37 %", "6 points", "0,01"; one decimal below 10, two below
    0.1, so that no small difference reads "0"."""
    size = abs(value)
    digits = 2 if 0 < size < 0.1 else 1 if size < 10 else 0
    if d.kind == "relative":
        return i18n.percent(value, lang, digits, signed)
    if d.kind == "score":
        return i18n.number(value, lang, 2 if size >= 0.01 or size == 0 else 3 if size >= 0.001 else 4, signed)
    text = i18n.number(value, lang, digits, signed)
    if d.kind == "points":
        text += (" points" if size >= 2 else " point") if lang == "fr" else " points"
    return text


def sentence(d: Difference, lang: str, today: bool = False, against: str | None = None,
             mine: bool = False) -> str:
    """Two lines for one headline: the answer, then (after a newline) its interval, e.g.
    "Survie des alliances : 11 sur 100 au lieu de 31 (référence), soit 20 points de moins" and
    "intervalle à 95 % pour les 9 indicateurs ensemble : −24 à −17 points". The comparison is with
    the reference, with today's settings (``today``) or with the scenario named ``against``."""
    fr = lang == "fr"
    label = outcome_label(d.key, lang, unit=False)
    if _UNIT.get(d.key) == "0-1":
        label += " (score de 0 à 1)" if fr else " (score from 0 to 1)"
    low, high = _amount(d, d.low, lang, True), _amount(d, d.high, lang, True)
    if d.kind == "points":  # say the unit once, after the interval's upper end
        low = low.split(" ", 1)[0]
    if against:
        who = f"avec « {against} »" if fr else f'with "{against}"'
    elif mine:  # the reference is today's settings changed by the user
        who = "pour vos réglages" if fr else "for your settings"
    else:
        who = ("aujourd'hui" if fr else "today") if today else ("pour la référence" if fr else "for the reference")
    together = f"pour les {FAMILY} indicateurs ensemble" if fr else f"for the {FAMILY} indicators together"
    interval = (f"intervalle à 95\u00a0% {together} : {low} à {high}" if fr
                else f"95% interval {together}: {low} to {high}")
    if d.negligible:
        if fr:
            return (f"{label} : changement négligeable ({level(d.key, d.reference, lang)} {who} ; "
                    f"écart {_amount(d, d.mean, lang, True)})\n{interval}.")
        return (f"{label}: negligible change ({level(d.key, d.reference, lang)} {who}; "
                f"difference {_amount(d, d.mean, lang, True)})\n{interval}.")
    if d.no_change:
        if fr:
            return (f"{label} : pas de changement établi ({level(d.key, d.reference, lang)} {who} ; "
                    f"écart {_amount(d, d.mean, lang, True)})\n{interval}, qui contient «\u00a0aucun changement\u00a0».")
        return (f"{label}: no established change ({level(d.key, d.reference, lang)} {who}; "
                f"difference {_amount(d, d.mean, lang, True)})\n{interval}, which includes no change.")
    size = _amount(d, abs(d.mean), lang, False)
    now, was = level(d.key, d.other, lang), level(d.key, d.reference, lang, unit=False)  # the unit said once
    if fr:
        more = "de plus" if d.mean > 0 else "de moins"
        return f"{label} : {now} au lieu de {was} {who}, soit {size} {more}\n{interval}."
    more = "higher" if d.mean > 0 else "lower"
    return f"{label}: {now} instead of {was} {who}, {size} {more}\n{interval}."


def answer(reference: Result, other: Result, lang: str, headlines: tuple[Headline, ...] = HEADLINES,
           today: bool = False, against: str | None = None, mine: bool = False) -> list[str]:
    """The plain-words answer: one sentence per headline indicator, the established changes
    first (in the order of ``headlines``), then those where the model shows no change."""
    diffs = sorted((difference(h, reference, other) for h in headlines), key=lambda d: not d.shown)
    return [sentence(d, lang, today, against, mine) for d in diffs]


def established(reference: Result, other: Result, headlines: tuple[Headline, ...] = HEADLINES) -> int:
    """How many headline indicators change, their interval excluding "no change" and the change
    not negligible."""
    return sum(difference(h, reference, other).shown for h in headlines)


def seeds_from(first: int, n: int) -> tuple[int, ...]:
    if n < 2 or first < 0 or not math.isfinite(first):
        raise ValueError(f"seeds: expected at least 2 draws from a seed >= 0; found {n} from {first}")
    return tuple(range(first, first + n))
