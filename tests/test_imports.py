"""The model's rooms (issue 8 item 3; review 8b, F1): submodels share helpers through one
module, and the model imports nothing from outside itself.

A submodel imports only `common` among its siblings, except two declared edges, each a rule
of the model rather than a helper: the budget session is governance's decision, held during
action's month (`action` -> `governance.budget_session`), and a replica is opened as emergence
opens an initiative (`scaling` -> `emergence.new_initiative`). A helper that a second submodel
needs moves to `simulation/submodels/common.py` (docs/DEVELOPING.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

SIMULATION = Path(__file__).resolve().parents[1] / "simulation"
SUBMODELS = SIMULATION / "submodels"

#: (importing submodel, imported submodel): why the edge is a rule of the model, not a helper.
DECLARED = {
    ("action", "governance"): "the budget session (governance.budget_session) is held during action",
    ("scaling", "emergence"): "a replica is opened as emergence opens an initiative",
}


def _imports(path: Path) -> list[tuple[str, int, tuple[str, ...]]]:
    """(module, level, names) of every import in the file, function-level ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.Import):
            found.extend((a.name, 0, ()) for a in node.names)
    return found


def test_submodels_import_only_common_among_their_siblings():
    siblings = {p.stem for p in SUBMODELS.glob("*.py")} - {"__init__", "common"}
    edges = set()
    for path in SUBMODELS.glob("*.py"):
        for module, level, _ in _imports(path):
            if level == 1 and module.split(".")[0] in siblings:
                edges.add((path.stem, module.split(".")[0]))
    assert edges == set(DECLARED), sorted(edges - set(DECLARED))


def test_the_model_imports_nothing_from_outside_itself():
    outside = [(p.relative_to(SIMULATION).as_posix(), module)
               for p in SIMULATION.rglob("*.py") for module, level, _ in _imports(p)
               if level == 0 and module.split(".")[0] in ("experiments", "tests")]
    assert not outside, outside


def test_only_the_kernel_and_the_mesa_model_reach_into_submodels():
    """The rest of the model reads the state's slots from simulation/state.py, not through the
    submodels (review 8b: summary and initialise took them from submodels/common)."""
    reach = sorted(p.name for p in SIMULATION.glob("*.py")
                   for module, level, _ in _imports(p) if level == 1 and module.startswith("submodels"))
    assert set(reach) <= {"kernel.py", "model.py"}, reach
