"""Mesa agents: each actor has an identity; its state is one row of the model's arrays.

Seed: the five communities of the World Café (« mondes économiques, associatifs,
politiques... ») plus the State: the State, foundations, firms, associations, elected
officials. Agents hold no state of their own: every property reads the arrays that the
compiled submodels update, so the demo, a DataCollector or a notebook see the live values.
"""

from __future__ import annotations

import mesa

from .state import KIND_NAMES


class Actor(mesa.Agent):
    """One actor; ``index`` is its row in ``model.state.actors``."""

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def row(self):
        return self.model.state.actors[self.index]

    @property
    def kind(self) -> str:
        return KIND_NAMES[int(self.row["kind"])]

    @property
    def territory(self) -> int:
        return int(self.row["territory"])

    def __getattr__(self, name: str):
        # Trait look-ups (will, duty, capacity, money, trust, ...) read the live array row.
        state = self.__dict__.get("model") and self.model.__dict__.get("state")
        if state is not None and name in state.actors.dtype.names:
            return state.actors[self.index][name].item()
        raise AttributeError(name)
