"""Generated parts of the documentation: blocks between ``<!-- generated:NAME -->`` and
``<!-- /generated:NAME -->`` in docs/odd_d.md and README.md are rewritten from
the code, never typed (``python -m experiments.report.docs`` rewrites them;
tests/test_report_docs.py checks that they are current).

Blocks: ``actor_traits`` (each actor type's default traits, from :class:`simulation.Params`),
``decision_parameters`` (the runtime constants, settable by a scenario, that enter the actors' decisions, from
:mod:`simulation.constants`), ``counts`` (levers, workshop additions, scenarios, outcomes,
submodels, constants, actors of the baseline: the numbers the README quotes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: Documents with generated blocks (relative to the repository root).
DOCUMENTS = ("docs/odd_d.md", "README.md")

TRAITS = ("will", "duty", "capacity", "risk_tolerance", "trust", "control_preference", "horizon_months",
          "skill", "money", "staff")


def actor_traits() -> str:
    from simulation import Params

    actors = Params().actors
    kinds = ("state", "foundation", "firm", "association", "official")
    lines = ["| trait | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for t in TRAITS:
        lines.append(f"| `{t}` | " + " | ".join(f"{getattr(getattr(actors, k), t):g}" for k in kinds) + " |")
    return "\n".join(lines)


#: Modules whose runtime constants enter an actor's decision (join, apply, exit, start).
DECISION_MODULES = ("emergence", "partner_search", "governance", "funding", "common")


def decision_parameters() -> str:
    from simulation.constants import CONSTANTS

    lines = ["| constant | value | unit | plausible range | module | meaning |", "|---|---|---|---|---|---|"]
    for c in CONSTANTS:
        if c.runtime and c.module in DECISION_MODULES and not c.id.startswith("lever_"):
            lines.append(f"| `{c.id}` | {c.value:g} | {c.unit} | {c.low:g}–{c.high:g} | {c.module} | {c.meaning} |")
    return "\n".join(lines)


def counts() -> dict[str, int]:
    """The numbers the documentation quotes, from the code and the repository."""
    import numpy as np

    from experiments.io import scenarios as scn
    from simulation import LEVERS
    from simulation.constants import CONSTANTS
    from simulation.engine import Engine
    from simulation.outcomes import OUTCOMES
    from simulation.submodels import ORDER

    engine = Engine(scn.load("baseline").params, np.random.default_rng(0))
    return {"levers": sum(lv.group != "additions" for lv in LEVERS),
            "additions": sum(lv.group == "additions" for lv in LEVERS),
            "scenarios": len(list((ROOT / "scenarios").glob("*.toml"))),
            "outcomes": len(OUTCOMES), "submodels": len(ORDER), "constants": len(CONSTANTS),
            "actors": len(engine.state.actors), "territories": len(engine.state.territories)}


def test_inventory(root: Path = ROOT) -> list[dict[str, object]]:
    """Every test module: its purpose (the docstring's first sentence), its test functions
    and how many are marked slow, read from the source (nothing is run)."""
    import ast

    rows = []
    for path in sorted((root / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = (ast.get_docstring(tree) or "").split("\n\n")[0].replace("\n", " ")
        tests = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                 and n.name.startswith("test_")]
        slow = sum(any("slow" in ast.unparse(d) for d in n.decorator_list) for n in tests)
        module_slow = any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in n.targets)
                          and "slow" in ast.unparse(n.value) for n in tree.body)
        rows.append({"module": path.name, "purpose": doc.split(". ")[0].rstrip(".") + ".",
                     "tests": len(tests), "marked_slow": len(tests) if module_slow else slow})
    return rows


def known_failures(root: Path = ROOT) -> list[dict[str, str]]:
    """Every test marked ``xfail`` (a claim the model does not reproduce yet; strict: a pass
    is reported), with its reason, read from the source (nothing is run)."""
    import ast

    rows = []
    for path in sorted((root / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not (isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name.startswith("test_")):
                continue
            for node in (n for d in fn.decorator_list for n in ast.walk(d)):
                if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("mark.xfail"):
                    reason = next((k.value for k in node.keywords if k.arg == "reason"), None)
                    if isinstance(reason, ast.Subscript) and isinstance(reason.value, ast.Name):
                        table = _module_dict(tree, reason.value.id)  # e.g. NOT_SHOWN[lv.id]: one row per entry
                        if table is not None:
                            rows += [{"module": path.name, "test": f"{fn.name}[{k}]", "reason": " ".join(str(v).split())}
                                     for k, v in table.items()]
                            continue
                    try:
                        text = str(ast.literal_eval(reason)) if reason is not None else ""
                    except ValueError:
                        text = ast.unparse(reason)
                    rows.append({"module": path.name, "test": fn.name, "reason": " ".join(text.split())})
    return rows


def _module_dict(tree: Any, name: str) -> dict | None:
    """The literal value of a module-level ``name = {...}`` (None when it is not a literal dict)."""
    import ast

    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(getattr(t, "id", None) == name for t in targets) and node.value is not None:
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def counts_block() -> str:
    c = counts()
    return (f"{c['levers']} Charter levers and {c['additions']} workshop additions, {c['scenarios']} scenario "
            f"files in `scenarios/`, {c['outcomes']} summary outcomes, {c['submodels']} submodels; the baseline has "
            f"{c['territories']} territories and {c['actors']} actors.")


def trace_section() -> Any:
    """The report's TRACE section: docs/trace.md's pointers and the test inventory now."""
    import pandas as pd

    from .sections import Section

    rows = test_inventory()
    s = Section("trace", "Tests et validation (TRACE) / Testing and validation evidence (TRACE)")
    s.text = [f"{len(rows)} test modules, {sum(r['tests'] for r in rows)} test functions "
              f"({sum(r['marked_slow'] for r in rows)} marked slow, run by make test; make test-fast skips them), "
              "read from tests/ at build time. Which TRACE element each module evidences: docs/trace.md."]
    s.tables["trace_tests"] = (pd.DataFrame(rows), "Test modules: purpose and number of test functions")
    failing = known_failures()
    if failing:
        s.text.append(f"Known failures: {len(failing)} test(s) marked xfail, claims of docs/ODD.md the model does not "
                      "reproduce yet (a strict xfail runs and must fail; a pass is reported): "
                      + "; ".join(f"{r['test']} ({r['module']})" for r in failing)
                      + ". Their reasons, with the measured figures, are in the table below; a test count is not "
                      "evidence that every pattern holds.")
        s.tables["trace_known_failures"] = (pd.DataFrame(failing), "Tests marked xfail and why")
    return s


BLOCKS: dict[str, Callable[[], str]] = {"actor_traits": actor_traits, "decision_parameters": decision_parameters,
                                        "counts": counts_block}

_BLOCK = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def render(text: str) -> str:
    """``text`` with every generated block rewritten (unknown block names are an error)."""
    def one(m: re.Match) -> str:
        if m.group(2) not in BLOCKS:
            raise KeyError(f"unknown generated block {m.group(2)!r}; known: {sorted(BLOCKS)}")
        return f"{m.group(1)}{BLOCKS[m.group(2)]()}\n{m.group(4)}"
    return _BLOCK.sub(one, text)


def main() -> None:
    for rel in DOCUMENTS:
        path = ROOT / rel
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {rel}")


if __name__ == "__main__":
    main()
