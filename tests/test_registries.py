"""The kernels' registries cannot drift: every position constant names its slot.

A compiled body reads a coefficient as ``c[C_REGEN]``, a series column as ``row[S_IMPACT]``
and a counter as ``acc[A_FORMED]``; these tests check that each constant is the position of
the field of the same name, so that adding or reordering one shows here, not in the results.
"""

from __future__ import annotations

import inspect
import types

import numpy as np
import pytest

from simulation import Params, kernel, state
from simulation.kernel import MODULES, SERIES, TIMING, Coefficients, coefficients, run_months, step_month
from simulation.params import ARBITRATION_LEVELS
from simulation.state import KIND_NAMES, Kind, Level, State, Status
from simulation.submodels import ORDER, common


def constants(module: types.ModuleType, prefix: str) -> dict[str, int]:
    """``{name without prefix, lower case: value}`` of the module's ``PREFIX*`` int constants."""
    return {name[len(prefix):].lower(): value for name, value in vars(module).items()
            if name.startswith(prefix) and isinstance(value, int) and not isinstance(value, bool)}


def drift(module: types.ModuleType) -> list[str]:
    """Where a submodel's ``C_*`` constants and its ``Coefficients`` fields disagree."""
    fields = {name: j for j, name in enumerate(module.Coefficients._fields)}
    got = constants(module, "C_")
    return sorted(f"C_{name.upper()}={got.get(name)} but field {name!r} is at {fields.get(name)}"
                  for name in fields.keys() | got.keys() if got.get(name) != fields.get(name))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_coefficient_constants_are_the_positions_of_their_names(module):
    assert drift(module) == []
    record = module.coefficients(Params())
    assert isinstance(record, module.Coefficients)
    assert all(type(v) is float for v in record), "a float record is one homogeneous tuple for numba"


def test_the_drift_check_sees_a_swap():
    fake = types.SimpleNamespace(Coefficients=MODULES[0].Coefficients,
                                 **{f"C_{n.upper()}": j for j, n in enumerate(MODULES[0].Coefficients._fields)})
    fake.C_CYCLE, fake.C_TURNOVER = fake.C_TURNOVER, fake.C_CYCLE
    assert len(drift(fake)) == 2


def test_the_schedule_is_named_by_the_submodels():
    assert Coefficients._fields == ORDER
    assert [m.__name__.rsplit(".", 1)[1] for m in MODULES] == list(ORDER)
    cf = coefficients(Params())
    for name, m in zip(ORDER, MODULES, strict=True):  # the kernels get each record as a float array
        assert getattr(cf, name).dtype == np.float64
        assert getattr(cf, name).tolist() == list(m.coefficients(Params()))
    assert TIMING == (*ORDER, "bookkeeping")
    assert constants(kernel, "T_") == {name: j for j, name in enumerate(TIMING)}


def test_every_series_column_is_written_by_name():
    assert sorted(constants(kernel, "S_").values()) == list(range(len(SERIES)))


@pytest.mark.parametrize("prefix,size", [("A_", "N_ACC"), ("N_", "N_NAT"), ("E_", "N_EVENT_FIELDS")])
def test_state_slots_are_distinct_and_fill_their_array(prefix, size):
    sizes = {"N_ACC", "N_NAT", "N_EVENT_FIELDS", "N_KINDS"}
    slots = [v for name, v in vars(state).items() if name.startswith(prefix) and name not in sizes]
    width = getattr(state, size)
    if prefix == "E_":  # the last slot opens a block of one carrier column per seat
        assert width == state.E_CARRIER + state.K
        width = state.E_CARRIER + 1
    assert sorted(slots) == list(range(width))
    assert all(getattr(common, name) == getattr(state, name) for name in vars(state)
               if name.startswith(prefix) and name not in sizes), "the submodels read the same slots"


def test_enums_match_the_names_the_parameters_use():
    assert tuple(k.name.lower() for k in Kind) == KIND_NAMES
    assert tuple(v.name.lower() for v in Level) == ARBITRATION_LEVELS
    assert [s.value for s in Status] == list(range(len(Status)))


def test_kernels_take_named_records_not_long_argument_lists():
    for m in MODULES:
        assert len(inspect.signature(m.step.py_func).parameters) <= 4, m.__name__
    assert len(inspect.signature(step_month.py_func).parameters) <= 6
    assert len(inspect.signature(run_months.py_func).parameters) <= 5
    assert "state" in inspect.signature(step_month.py_func).parameters and State._fields[0] == "territories"


def compiled_functions() -> list[tuple[str, object]]:
    """Every numba-compiled function defined in a module of simulation/."""
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    import simulation

    found = []
    for info in pkgutil.walk_packages(simulation.__path__, "simulation."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module.__name__:
                found.append((f"{module.__name__}.{name}", obj))
    return found


def test_no_compiled_function_takes_more_than_eight_arguments():
    """Helpers take the State and Coefficients records, not a dozen arrays."""
    found = compiled_functions()
    assert len(found) >= 40  # the walk reached the submodels
    long = {name: len(inspect.signature(f.py_func).parameters) for name, f in found
            if len(inspect.signature(f.py_func).parameters) > 8}
    assert not long, long


def test_modules_outside_the_kernel_cache_hold_no_kernel_and_no_kernel_imports_them():
    """compiled.PURE_PYTHON modules are left out of the cache's source hash: editing them must
    not be able to change compiled code."""
    import ast

    from experiments.execution.compiled import PACKAGE, PURE_PYTHON

    pure = {name.removesuffix(".py") for name in PURE_PYTHON} - {"__init__"}
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if path.parent == PACKAGE and path.name in PURE_PYTHON:
            assert "njit" not in text, f"{path.name} is in PURE_PYTHON but compiles a kernel"
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[-1], *(a.name for a in node.names)}
                assert not names & pure, f"{path.name} imports {names & pure}, left out of the cache's hash"
