"""The workshop's "Et si ?" question cards: data, not code.

Each card is a question in the facilitator's words and the dotted-parameter overrides that
change exactly what its title says, laid over the reference settings. When the model's
parameters are renamed, only the ``overrides`` column of this table changes; ``validate``
(run at start-up and by the tests) names any card whose key no longer exists.

Card "state_steers_less": ``governance.macro_steering`` is how much the national level sets
objectives and path; the State's money is a separate axis (``funding.national_budget_scale``),
so the card lowers the steering and leaves the money as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulation import Params
from simulation.levers import CHARTER_IDS


@dataclass(frozen=True)
class Card:
    id: str
    title_fr: str
    title_en: str
    overrides: dict[str, Any]

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en


_CHARTER = {f"levers.{lid}": 1.0 for lid in CHARTER_IDS}

CARDS: tuple[Card, ...] = (
    Card("state_steers_less", "L'État pilote moins (même budget)", "The State steers less (same money)",
         {"governance.macro_steering": 0.25}),
    Card("pooled_fund", "Un fonds territorial mutualisé au lieu des appels à projets",
         "A pooled territorial fund instead of calls for projects",
         {"funding.regime": "pooled_fund"}),
    Card("elections_3y", "Des élections tous les 3 ans", "Elections every 3 years",
         {"time.electoral_cycle_months": 36}),
    Card("charter_adopted", "On adopte la Charte", "The Charter is adopted", dict(_CHARTER)),
    Card("charter_imposed", "On impose la Charte", "The Charter is imposed",
         {**_CHARTER, "governance.charter": "imposed"}),
    Card("long_projects", "Des projets plus longs (5 ans au lieu de 3)", "Longer projects (5 years instead of 3)",
         {"time.project_duration_months": 60}),
    Card("multi_year_grants", "Des subventions sur 3 ans au lieu d'un", "Grants for 3 years instead of 1",
         {"time.grant_duration_months": 36}),
    Card("budget_doubled", "Deux fois plus d'argent public et philanthropique", "Twice the public and philanthropic money",
         {"funding.budget_scale": 2.0}),
    Card("engineering_funded", "On finance l'ingénierie de l'alliance", "Alliance engineering is funded",
         {"levers.engineering_funding": 1.0}),
)

BY_ID: dict[str, Card] = {c.id: c for c in CARDS}


def validate(cards: tuple[Card, ...] = CARDS, base: Params | None = None) -> list[str]:
    """One message per card whose overrides the model refuses (unknown key, bad value)."""
    from simulation import ParameterError

    base = base or Params()
    problems = []
    if len({c.id for c in cards}) != len(cards):
        problems.append("cards: expected distinct ids")
    for card in cards:
        try:
            base.with_overrides(card.overrides, source=f"card '{card.id}'")
        except ParameterError as exc:
            problems.append(str(exc))
    return problems
