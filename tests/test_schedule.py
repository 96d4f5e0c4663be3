"""The schedule is written in one order everywhere (review 8b, finding F13).

`simulation/submodels/__init__.py:ORDER` is the order; `kernel.MODULES`, the calls in
`kernel.step_month`, the numbered list of docs/ODD.md section 3 and the `### 7.N` sections of
the ODD must follow it. A submodel listed in ORDER but never called would run nowhere, move no
golden value and pass every other test; one called but not documented would have no ODD section.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import simulation.submodels
from simulation import kernel
from simulation.submodels import ORDER

ODD = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_step_month_calls_every_submodel_once_in_order():
    tree = ast.parse(inspect.getsource(kernel.step_month.py_func).lstrip())
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr == "step" and isinstance(node.func.value, ast.Name)]
    called = [node.func.value.id for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset))]
    assert called == list(ORDER)
    assert [m.__name__.rsplit(".", 1)[1] for m in kernel.MODULES] == list(ORDER)


def test_odd_documents_every_submodel_in_order():
    sections = re.findall(r"^### 7\.(\d+) (\w+) \(`simulation/submodels/(\w+)\.py`\)", ODD, flags=re.M)
    assert [int(n) for n, _, _ in sections] == list(range(1, len(ORDER) + 1))
    assert [name for _, name, _ in sections] == list(ORDER)
    assert all(name == module for _, name, module in sections)
    schedule = ODD.split("## 3 Process overview and scheduling", 1)[1].split("\n## 4 ", 1)[0]
    listed = re.findall(r"^\d+\. \*\*(\w+)\*\* \(`simulation/submodels/\w+\.py`\)", schedule, flags=re.M)
    assert listed == list(ORDER)


def _package_modules() -> dict[str, object]:
    return {info.name: importlib.import_module(f"simulation.submodels.{info.name}")
            for info in pkgutil.iter_modules(simulation.submodels.__path__)}


def test_every_module_with_a_step_kernel_is_in_the_schedule():
    """A new submodel file left out of ORDER would be called nowhere and documented nowhere,
    and the two tests above would still pass: the package's modules are read, not listed here."""
    with_step = sorted(name for name, module in _package_modules().items() if hasattr(module, "step"))
    assert with_step == sorted(ORDER), "add the submodel to simulation/submodels/__init__.py:ORDER"
    for name in ORDER:
        module = _package_modules()[name]
        assert callable(getattr(module, "coefficients", None)) and hasattr(module, "Coefficients"), name


def test_every_submodel_cites_the_seed_in_its_docstring_and_its_odd_section():
    sections = dict(re.findall(r"^### 7\.\d+ (\w+) [^\n]*\n(.*?)(?=^### |^## )", ODD, flags=re.M | re.S))
    for name in ORDER:
        doc = inspect.getdoc(_package_modules()[name]) or ""
        assert re.search(r"«[^»]+»", doc), f"simulation/submodels/{name}.py: the docstring quotes no seed passage"
        assert re.search(r"«[^»]+»", sections.get(name, "")), f"docs/ODD.md 7.N {name}: no seed passage quoted"
