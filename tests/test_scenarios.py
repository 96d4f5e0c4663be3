"""The scenario library and its loader: every shipped scenario validates, lever scenarios
cover exactly the registry's ids, ``extends`` chains resolve (and refuse cycles), ``--set``
values follow TOML's literal rules, and territories tables fail with row-and-column errors."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from helpers import malformed
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.io import scenarios as scn
from experiments.io.errors import InputError
from simulation import LEVERS, OUTCOME_KEYS, ParameterError, Params, run

CHARTER_IDS = {lv.id for lv in LEVERS if lv.group != "additions"}
ADDITION_IDS = {lv.id for lv in LEVERS if lv.group == "additions"}
DEFAULT_LEVERS = {lv.id: lv.default for lv in LEVERS}

#: The scenarios issue 3 names; the library may hold more.
REQUIRED = ("baseline", "charter_adopted", "macro_led", "subsidiarity", "arranger",
            "competitive_calls_heavy", "pooled_fund", "direct_link", "short_terms",
            "long_projects", "nimby_conflicts", "workshop_additions", "fragile_territories",
            "imposed_charter")

LIBRARY_NAMES = scn.library_names()


def raw(name: str) -> dict:
    return tomllib.loads((scn.LIBRARY / f"{name}.toml").read_text(encoding="utf-8"))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------
# The shipped library
# --------------------------------------------------------------------------------------

def test_library_holds_the_named_scenarios_and_more():
    missing = set(REQUIRED) - set(LIBRARY_NAMES)
    assert not missing, f"scenarios missing from {scn.LIBRARY}: {sorted(missing)}"
    assert len(LIBRARY_NAMES) >= 16


@pytest.mark.parametrize("name", LIBRARY_NAMES)
def test_every_shipped_scenario_validates_and_quotes_the_seed(name):
    scenario = scn.load(name)
    assert isinstance(scenario.params, Params)
    assert scenario.title, f"{name}: the description needs a first line"
    assert "«" in scenario.description and "»" in scenario.description, \
        f"{name}: the description should quote the seed in French"
    data = raw(name)
    if name != "baseline":
        assert "extends" in data, f"{name}: a scenario other than baseline should extend one"
        assert scenario.chain[-1].name == "baseline.toml"
        assert scenario.overrides, f"{name}: a scenario that changes nothing duplicates baseline"


def test_baseline_is_the_embedded_defaults():
    assert set(raw("baseline")) == {"description"}
    scenario = scn.load("baseline")
    assert scenario.overrides == {}
    assert scenario.params.model_dump() == Params().model_dump()


def test_charter_adopted_sets_exactly_the_charter_levers_to_one():
    levers = raw("charter_adopted")["levers"]
    assert set(levers) == CHARTER_IDS
    assert all(v == 1.0 for v in levers.values())
    params = scn.load("charter_adopted").params.levers.model_dump()
    for lever_id in ADDITION_IDS:
        assert params[lever_id] == DEFAULT_LEVERS[lever_id]


def test_workshop_additions_sets_exactly_the_additions_to_one():
    levers = raw("workshop_additions")["levers"]
    assert set(levers) == ADDITION_IDS
    assert all(v == 1.0 for v in levers.values())


def test_imposed_charter_differs_from_charter_adopted_only_by_imposition():
    adopted = scn.load("charter_adopted").params.model_dump()
    imposed = scn.load("imposed_charter").params.model_dump()
    assert imposed["governance"]["charter"] == "imposed"
    assert adopted["governance"]["charter"] == "voluntary"
    imposed["governance"]["charter"] = "voluntary"
    assert imposed == adopted


def test_short_terms_and_long_projects_put_mandates_against_project_duration():
    short = scn.load("short_terms").params.time
    long = scn.load("long_projects").params.time
    base = Params().time
    assert short.electoral_cycle_months < base.electoral_cycle_months
    assert long.project_duration_months > long.electoral_cycle_months


def test_readme_table_names_every_scenario():
    text = (scn.LIBRARY / "README.md").read_text(encoding="utf-8")
    missing = [n for n in LIBRARY_NAMES if f"| `{n}` |" not in text]
    assert not missing, f"scenarios/README.md does not list {missing}"


def test_list_library_gives_every_scenario_its_first_line():
    items = scn.list_library()
    assert [i["name"] for i in items] == LIBRARY_NAMES
    by_name = {i["name"]: i for i in items}
    assert by_name["imposed_charter"]["extends"] == "charter_adopted"
    assert all(i["title"] for i in items)


# --------------------------------------------------------------------------------------
# Finding and resolving
# --------------------------------------------------------------------------------------

def test_unknown_scenario_suggests_the_close_name():
    with pytest.raises(InputError, match=r"unknown scenario 'baselin' \(did you mean 'baseline'\?\)"):
        scn.load("baselin")


def test_missing_path_is_named(tmp_path):
    with pytest.raises(InputError, match="not found"):
        scn.load(str(tmp_path / "nope.toml"))


def test_extends_lays_child_over_parent_and_resolves_relative_names(tmp_path):
    write(tmp_path, "parent.toml", 'description = "p"\nextends = "baseline"\n'
          "[levers]\ndialogue = 0.9\nsharing = 0.7\n")
    child = write(tmp_path, "child.toml", 'description = "c"\nextends = "parent"\n'
                  "[levers]\nsharing = 0.1\n[governance]\nrule = \"equal\"\n")
    scenario = scn.load(str(child))
    assert scenario.params.levers.dialogue == 0.9
    assert scenario.params.levers.sharing == 0.1
    assert scenario.params.governance.rule == "equal"
    assert [p.name for p in scenario.chain] == ["child.toml", "parent.toml", "baseline.toml"]


def test_extends_cycle_is_refused(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(InputError, match=r"expected a chain without cycles; found .*a\.toml -> .*b\.toml -> .*a\.toml"):
        scn.load(str(tmp_path / "a.toml"))


def test_extends_unknown_names_the_file_and_key(tmp_path):
    path = write(tmp_path, "x.toml", 'extends = "subsidiarty"\n')
    with pytest.raises(InputError, match=r"x\.toml: key 'extends': unknown scenario 'subsidiarty' "
                                         r"\(did you mean 'subsidiarity'\?\)"):
        scn.load(str(path))


def test_unknown_key_in_a_file_names_the_file_and_suggests(tmp_path):
    path = write(tmp_path, "typo.toml", 'extends = "baseline"\n[governance]\nrul = "equal"\n')
    with pytest.raises(ParameterError, match=r"typo\.toml: unknown key 'governance\.rul' \(did you mean 'rule'\?\)"):
        scn.load(str(path))


def test_error_in_a_parent_is_reported_in_the_parent(tmp_path):
    write(tmp_path, "parent.toml", "[levers]\ndialogue = 3\n")
    path = write(tmp_path, "child.toml", 'extends = "parent"\n')
    with pytest.raises(ParameterError, match=r"parent\.toml: key 'levers\.dialogue': expected a value <= 1"):
        scn.load(str(path))


def test_malformed_toml_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "bad.toml", 'description = "x"\n[levers\ndialogue = 0.5\n')
    with pytest.raises(InputError, match=r"bad\.toml: malformed TOML: .*line 2"):
        scn.load(str(path))


def test_meta_keys_must_be_strings(tmp_path):
    path = write(tmp_path, "m.toml", "extends = 3\n")
    with pytest.raises(InputError, match=r"m\.toml: key 'extends': expected a (string|scenario name or path); found 3"):
        scn.load(str(path))


# --------------------------------------------------------------------------------------
# --set values
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("true", True), ("false", False), ("12", 12), ("-3", -3), ("0.8", 0.8), ("1e3", 1000.0),
    ("1_000", 1000), ('"two words"', "two words"), ("'literal'", "literal"),
    ("subsidiarity", "subsidiarity"), ("pooled_fund", "pooled_fund"), ("[1, 2]", [1, 2]),
])
def test_parse_value_follows_toml_literals(text, value):
    parsed = scn.parse_value(text, "--set k")
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("text", ["", "two words", '"unclosed', "a;b"])
def test_parse_value_refuses_what_is_not_a_value(text):
    with pytest.raises(InputError, match=r"--set k: expected"):
        scn.parse_value(text, "--set k")


@settings(derandomize=True, database=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**12, 10**12))
def test_parse_value_reads_back_any_number(x):
    parsed = scn.parse_value(repr(x), "--set k")
    assert parsed == x and type(parsed) is type(x)


def test_parse_set_errors_name_the_item():
    with pytest.raises(InputError, match=r"--set 'levers\.dialogue': expected KEY=VALUE"):
        scn.parse_set(["levers.dialogue"])
    with pytest.raises(InputError, match=r"given twice"):
        scn.parse_set(["levers.dialogue=0.1", "levers.dialogue=0.2"])


def test_overrides_reach_the_params_and_refuse_unknown_levers():
    params = scn.apply_overrides(Params(), scn.parse_set(["levers.dialogue=0.8",
                                                          "governance.rule=subsidiarity",
                                                          "time.electoral_cycle_months=48"]))
    assert params.levers.dialogue == 0.8
    assert params.governance.rule == "subsidiarity"
    assert params.time.electoral_cycle_months == 48
    with pytest.raises(ParameterError, match=r"unknown key 'levers\.dialog' \(did you mean 'dialogue'\?\)"):
        scn.apply_overrides(Params(), {"levers.dialog": 0.8})


# --------------------------------------------------------------------------------------
# Territories table
# --------------------------------------------------------------------------------------

HEADER = ",".join(scn.TERRITORY_COLUMNS)
ROW = "Val d'Oise Nord,0,0.5,0.5,0.4,0.5,0.5,0.5,0.5,8,3"


def test_example_table_loads_into_records():
    records = scn.read_territories(scn.LIBRARY / "territories_example.csv")
    assert 15 <= len(records) <= 30
    assert set(records[0]) == set(scn.TERRITORY_COLUMNS)
    params = scn.load("example_territories").params
    assert params.territories.records is not None
    assert [r.name for r in params.territories.records] == [r["name"] for r in records]


def test_table_is_found_next_to_its_scenario(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "t.csv", f"{HEADER}\n{ROW}\nAutre,1,0.1,0.2,0.9,0.9,0.9,0.9,0.1,2,0\n")
    path = write(tmp_path / "sub", "s.toml", '[territories]\nfile = "t.csv"\n')
    params = scn.load(str(path)).params
    assert [r.name for r in params.territories.records] == ["Val d'Oise Nord", "Autre"]


@pytest.mark.parametrize("text, pattern", [
    ("", r"expected a header row .*found an empty file"),
    (HEADER + "\n", r"expected at least one territory row"),
    (HEADER.replace("fragility", "fragilty") + "\n" + ROW,
     r"row 1: unknown column 'fragilty' \(did you mean 'fragility'\?\)"),
    (HEADER.replace(",firms", "") + "\n" + ROW.rsplit(",", 1)[0], r"row 1: missing column\(s\) firms"),
    (HEADER.replace(",", ";") + "\n", r"row 1: expected comma-separated columns; found ';'"),
    (f"{HEADER}\n{ROW}\n{ROW.replace('0.4', 'high')}",
     r"row 3, column 'fragility': expected a number.*; found 'high'"),
    (f"{HEADER}\n{ROW.replace('0.4', '1.4')}", r"row 2, column 'fragility': expected a number from 0 to 1; found '1.4'"),
    (f"{HEADER}\n{ROW.replace(',8,3', ',-8,3')}", r"row 2, column 'associations': expected an integer from 0 to 10000; found '-8'"),
    (f"{HEADER}\n{ROW},extra", r"row 2: expected 11 cells; found 12"),
    (f"{HEADER}\n{ROW}\n{ROW}", r"row 3, column 'name': expected a unique name; found \"?'?Val d'Oise Nord"),
])
def test_malformed_table_names_file_row_column_expected_found(tmp_path, text, pattern):
    path = write(tmp_path, "terr.csv", text)
    with pytest.raises(InputError, match=r"terr\.csv.*" + pattern):
        scn.read_territories(path)


def test_scenario_with_a_missing_table_names_it(tmp_path):
    path = write(tmp_path, "s.toml", '[territories]\nfile = "nowhere.csv"\n')
    with pytest.raises(InputError, match=r"territories file '.*nowhere\.csv': not found"):
        scn.load(str(path))


def test_example_table_values_are_plausible():
    records = scn.read_territories(scn.LIBRARY / "territories_example.csv")
    fragility = [r["fragility"] for r in records]
    assert min(fragility) < 0.35 < 0.65 < max(fragility), "the example should mix fragile and well-off territories"
    assert not math.isnan(sum(r["x"] + r["y"] for r in records))


@pytest.mark.parametrize("name", LIBRARY_NAMES)
def test_every_shipped_scenario_runs_a_year_with_finite_outcomes(name):
    params = scn.load(name).params.with_overrides({"run.months": 12}, source="test")
    summary, series = run(params, series=True)
    assert set(summary) == set(OUTCOME_KEYS)
    assert not malformed(summary), summary
    assert len(series) >= 12
