"""Parameters that have no effect under the chosen settings, so that ``alliance validate``
and ``alliance run`` can say so instead of letting a user believe she changed something.

Each entry was checked in the model's code: ``governance.arranger_capacity`` is read only
when the rule is ``arranger`` (simulation/submodels/governance.py, ``C_ARRANGER_CAP``);
``governance.arranger_cost`` is paid only by alliances an arranger serves, which exist only
under that rule (simulation/submodels/action.py, ``ini.arranged``); ``funding.pooled_share``
splits the budget only under the ``mixed`` regime (simulation/submodels/funding.py).
"""

from __future__ import annotations

from typing import Any

#: parameter -> (setting, values under which it acts).
CONDITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "governance.arranger_capacity": ("governance.rule", ("arranger",)),
    "governance.arranger_cost": ("governance.rule", ("arranger",)),
    "funding.pooled_share": ("funding.regime", ("mixed",)),
}


def _get(params: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        params = params[part]
    return params


def inert(params: Any) -> list[str]:
    """One warning per parameter set away from its default that has no effect here."""
    from simulation import Params

    given = params.model_dump()
    default = Params().model_dump()
    out = []
    for key, (setting, acting) in CONDITIONS.items():
        value = _get(given, key)
        where = _get(given, setting)
        if value != _get(default, key) and where not in acting:
            out.append(f"{key} = {value!r} has no effect under {setting} = {where!r} "
                       f"(it acts only with {setting} = {' or '.join(map(repr, acting))})")
    return out
