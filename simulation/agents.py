"""Mesa agents: each actor has an identity; its state is one row of the model's arrays.

Seed: the five communities of the World Café (« mondes économiques, associatifs,
politiques... ») plus the State: the State, foundations, firms, associations, elected
officials. What actors do (start initiatives, look for partners, apply for money, act,
leave) is written once, array-wide, in the compiled submodels (simulation/submodels/, in
the order of docs/ODD.md), which update every actor's row together each month. An agent
holds no state of its own: its properties read those rows, so ``model.agents``, a
notebook or a user interface see the live values, and selecting agents works as in any
Mesa model (``model.agents.select(lambda a: a.kind == "association")``).
"""

from __future__ import annotations

import mesa
import numpy as np

from .state import ACTING, AGREED, KIND_NAMES, SEARCHING


class Actor(mesa.Agent):
    """One actor; ``index`` is its row in ``model.state.actors``.

    Every field of the actor array (``will``, ``duty``, ``capacity``, ``money``, ``trust``,
    ``staff``, ``engaged``, ...; docs/ODD.md lists them) reads as an attribute. Agents do not
    step: ``model.agents.do("step")`` does nothing, since the month's decisions are taken by
    the compiled submodels in :attr:`AllianceModel.schedule` order (``model.step()``).
    """

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def row(self) -> np.void:
        return self.model.state.actors[self.index]

    @property
    def kind(self) -> str:
        """``state``, ``foundation``, ``firm``, ``association`` or ``official``."""
        return KIND_NAMES[int(self.row["kind"])]

    @property
    def territory(self) -> int:
        """The actor's territory (-1 for national actors)."""
        return int(self.row["territory"])

    def alliances(self) -> list[int]:
        """Indices (in ``model.state.initiatives``) of the initiatives in which the actor
        holds a seat and that are still searching, agreed or acting."""
        s = self.model.state
        rows = np.flatnonzero((s.members == self.index).any(axis=1))
        live = np.isin(s.initiatives["status"][rows], (SEARCHING, AGREED, ACTING))
        return rows[live].tolist()

    def __getattr__(self, name: str):
        # Trait look-ups (will, duty, capacity, money, trust, ...) read the live array row.
        model = self.__dict__.get("model")
        engine = model.__dict__.get("engine") if model is not None else None
        if engine is not None and name in engine.state.actors.dtype.names:
            return engine.state.actors[self.index][name].item()
        raise AttributeError(name)
