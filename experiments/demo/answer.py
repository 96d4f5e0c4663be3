"""Run the reference and the "Et si ?" scenarios on common seeds and say the answer in plain words.

Every scenario runs the same seeds (common random numbers), so each seed gives one paired
difference scenario - reference per outcome; the answer is the mean of those differences
with a Student-t interval. One question is answered on FAMILY indicators at once, so the
intervals are simultaneous (Bonferroni: each at 1 - 5 %/FAMILY, together at 95 %): a change is
called established only when it holds with the others, not because one of nine tests came out
under 5 % by chance (facilitator review 12b, finding 7). Counts and need units
are said relative to the reference's mean ("23 % de plus"); shares and 0-1 scores in
percentage points ("5 points de pourcentage de plus"). When the interval contains 0 the
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
from experiments.io.results import describe

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
    Headline("trust_micro_macro", "points"),
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
    kind: str
    reference: float  # the reference's mean
    mean: float  # mean paired difference, in the unit said (percent or points)
    low: float
    high: float
    n: int

    @property
    def no_change(self) -> bool:
        return not (self.low > 0 or self.high < 0)  # NaN (undefined in every seed): no change shown


def difference(headline: Headline, reference: Result, other: Result) -> Difference:
    """The paired difference ``other - reference`` of one headline over common seeds, in percent
    of the reference's mean ("relative") or in percentage points ("points")."""
    base = [s[headline.key] for s in reference.summaries]
    diffs = [o[headline.key] - b for b, o in zip(base, (s for s in other.summaries), strict=True)]
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
    elif kind == "relative":
        kind, scale = "absolute", 1.0  # no relative change from a zero reference
    else:
        scale = 100.0
    mean = math.nan if stat["mean"] is None else stat["mean"]
    low = stat["ci95_low"] if stat["ci95_low"] is not None else mean
    high = stat["ci95_high"] if stat["ci95_high"] is not None else mean
    return Difference(headline.key, kind, ref_mean, mean * scale, low * scale, high * scale,
                      int(stat["n"]))


def _amount(d: Difference, value: float, lang: str, signed: bool) -> str:
    """A difference with its unit: "37 %", "6,4 points", "0,25"; a second decimal below 0.1, so
    that no small difference reads "0,0"."""
    small = 0 < abs(value) < 0.1
    if d.kind == "relative":
        return i18n.percent(value, lang, 2 if small else 1 if abs(value) < 10 else 0, signed)
    text = i18n.number(value, lang, 2 if small or d.kind != "points" else 1, signed)
    if d.kind == "points" and lang == "fr":
        text += " points de pourcentage" if abs(value) >= 2 else " point de pourcentage"
    elif d.kind == "points":
        text += " percentage points"
    return text


def sentence(d: Difference, lang: str, today: bool = False) -> str:
    """One plain sentence for one headline, e.g. "Survie des alliances : 6,4 points de
    pourcentage de moins qu'avec la référence (intervalle à 95 % : −10,7 à −2,0 points)"; with
    ``today`` the comparison is with today's settings ("qu'aujourd'hui")."""
    fr = lang == "fr"
    label = i18n.outcome_label(d.key, lang)
    low, high = _amount(d, d.low, lang, True), _amount(d, d.high, lang, True)
    if d.kind == "points":  # say the unit once, after the interval's upper end
        low = low.split(" ", 1)[0]
    interval = f"{low} {'à' if fr else 'to'} {high}"
    against = (" par rapport à aujourd'hui", " relative to today") if today else \
        (" par rapport à la référence", " relative to the reference")
    pp = {"relative": against}.get(d.kind, ("", ""))
    together = (f"pour les {FAMILY} indicateurs ensemble" if fr else f"for the {FAMILY} indicators together")
    if d.no_change:
        if fr:
            return (f"{label} : pas de changement établi (écart {_amount(d, d.mean, lang, True)}{pp[0]} ; "
                    f"intervalle à 95\u00a0% {together} : {interval}, qui contient «\u00a0aucun changement\u00a0»).")
        return (f"{label}: no established change (difference {_amount(d, d.mean, lang, True)}{pp[1]}; "
                f"95% interval {together}: {interval}, which includes no change).")
    size = _amount(d, abs(d.mean), lang, False)
    if fr:
        more = "de plus" if d.mean > 0 else "de moins"
        than = "qu'aujourd'hui" if today else "qu'avec la référence"
        return f"{label} : {size} {more} {than} (intervalle à 95\u00a0% {together} : {interval})."
    more = "higher" if d.mean > 0 else "lower"
    return f"{label}: {size} {more} than {'today' if today else 'the reference'} (95% interval {together}: {interval})."


def answer(reference: Result, other: Result, lang: str, headlines: tuple[Headline, ...] = HEADLINES,
           today: bool = False) -> list[str]:
    """The plain-words answer: one sentence per headline indicator, the established changes
    first (in the order of ``headlines``), then those where the model shows no change."""
    diffs = sorted((difference(h, reference, other) for h in headlines), key=lambda d: d.no_change)
    return [sentence(d, lang, today) for d in diffs]


def established(reference: Result, other: Result, headlines: tuple[Headline, ...] = HEADLINES) -> int:
    """How many headline indicators change, their interval excluding "no change"."""
    return sum(not difference(h, reference, other).no_change for h in headlines)


def seeds_from(first: int, n: int) -> tuple[int, ...]:
    if n < 2 or first < 0 or not math.isfinite(first):
        raise ValueError(f"seeds: expected at least 2 draws from a seed >= 0; found {n} from {first}")
    return tuple(range(first, first + n))
