"""Issue 14: a property-based fuzzer over every input path of the ``alliance`` command.

It mutates the shipped files and values (scenario and spec TOML, the territories CSV,
``--set`` values, command-line arguments, damaged sensitivity folders): wrong types, NaN,
infinities, huge and negative numbers, unknown keys, empty and truncated files, junk bytes,
other encodings, missing columns. Every case goes through ``experiments.cli.main(argv)`` in
this process and must end in exit 0 with a complete result, or exit 2 with one line per
problem, each starting ``alliance: error:``; never a traceback (an exception escaping
``main``), a hang (a case over :data:`CASE_SECONDS`) or a partial results folder.

Each accepted scenario is also run for one month (validate accepts => the model runs, with
finite outcomes). Figures are not drawn here (they cost a second per run and have their own
tests in test_results.py). Hypothesis is derandomized: the same cases on every run. The fast
suite runs 52 cases (a smoke test that every input path still answers); the exhaustive tier
(``make test-all``, run by CI) over 10,000, and prints the count of cases and of tracebacks.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import re
import signal
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from helpers import malformed
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_reliability_io import TINY

from experiments.cli import main
from experiments.io import figures as figs
from experiments.io.scenarios import LIBRARY, TERRITORY_COLUMNS
from simulation import Params, run

CASE_SECONDS = 60
ERROR_LINE = re.compile(r"^alliance( [a-z]+)?: error: \S")
STATS: Counter = Counter()

SCENARIOS = sorted(LIBRARY.glob("*.toml"))
SPECS = sorted((Path(__file__).resolve().parents[1] / "experiments").glob("*.toml"))
CSV_TEXT = (LIBRARY / "territories_example.csv").read_text(encoding="utf-8")


def _keys(model, prefix: str = "") -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and hasattr(ann, "model_fields"):
            out += _keys(ann, f"{prefix}{name}.")
        else:
            out.append(f"{prefix}{name}")
    return out


PARAM_KEYS = [k for k in _keys(Params) if k != "territories.records"]

# Values that are wrong in some place and right in others.
NASTY = [True, False, 0, 1, -1, -5, 2, 12, 0.5, 1.5, -0.0, 1e300, -1e300, 1e-300,
         math.inf, -math.inf, math.nan, 2**31, 2**63, 2**63 - 1, 2**64, 10**30, "", "12", "0.5",
         "true", "nan", "baseline", "équité « »", "x" * 300, [], [1, 2], {}, {"a": 1}]
NASTY_TEXT = ["", "nan", "NaN", "inf", "-inf", "-5", "1e300", "1e-300", "0", "1", "0,5", "abc",
              "true", "\u00a0", "１", "0x10", "1_000", "  7  ", "9" * 400, "é", "\x00", '"', "'"]


class Hang(BaseException):
    """A case that ran past CASE_SECONDS (a BaseException so that nothing catches it)."""


def _alarm(signum, frame):
    raise Hang()


def invoke(argv: list[str], out_dir: Path | None = None) -> tuple[int, str, str]:
    """``main(argv)`` in this process: (exit code, stdout, stderr). An exception escaping
    main is a traceback: counted and re-raised, so the property fails with the case."""
    STATS["cases"] += 1
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    except Hang:
        STATS["hangs"] += 1
        raise AssertionError(f"hang: {argv} ran past {CASE_SECONDS} s") from None
    except BaseException:
        STATS["tracebacks"] += 1
        raise
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    STATS[f"exit {code}"] += 1
    if STATS["cases"] % 250 == 0:
        _save_stats()
    check(argv, code, out.getvalue(), err.getvalue(), out_dir)
    return code, out.getvalue(), err.getvalue()


def check(argv: list[str], code: int, out: str, err: str, out_dir: Path | None) -> None:
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines, (argv, "exit 2 without a message")
        bad = [line for line in lines if not ERROR_LINE.match(line)]
        assert not bad, (argv, "not an error line", bad)
        assert len(lines) <= 11, (argv, f"{len(lines)} lines", lines)
        assert "Traceback" not in err
    if out_dir is not None and out_dir.exists():
        partial = [p.name for p in out_dir.iterdir() if ".partial-" in p.name]
        assert not partial, (argv, "partial folder left", partial)
        for folder in out_dir.iterdir():
            if (folder / "checkpoint").exists():
                continue  # a sensitivity folder: kept on purpose, resumable
            assert (folder / "summary.json").exists() and (folder / "provenance.json").exists(), \
                (argv, "incomplete results folder", folder)


FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                phases=[Phase.explicit, Phase.generate],  # the failing case is printed; no shrinking
                suppress_health_check=list(HealthCheck))


def sized(fast: int, full: int):
    """Parametrize a fuzz test: a dozen cases or fewer in the fast suite, the full count in the
    exhaustive tier (tests/conftest.py)."""
    return pytest.mark.parametrize("n", [pytest.param(fast, id="fast"),
                                         pytest.param(full, id="full", marks=pytest.mark.slow)])


@pytest.fixture(autouse=True)
def _no_figures(monkeypatch):
    monkeypatch.setattr(figs, "series_figures", lambda *a, **k: [])
    monkeypatch.setattr(figs, "comparison_figure", lambda *a, **k: "")


def _save_stats() -> None:
    """With FUZZ_STATS=path, keep this process's running counts there (one file per process)."""
    target = os.environ.get("FUZZ_STATS")
    if target:
        Path(f"{target}.{os.getpid()}").write_text(json.dumps(dict(STATS)))


def teardown_module(module):
    _save_stats()
    print(f"\nfuzz: {STATS['cases']} cases, {STATS['tracebacks']} tracebacks, {STATS['hangs']} hangs; "
          + ", ".join(f"{k}: {v}" for k, v in sorted(STATS.items()) if k.startswith("exit")))


# --------------------------------------------------------------------------------------
# Writing TOML (the standard library reads it only)
# --------------------------------------------------------------------------------------

def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def toml_text(data: dict) -> str:
    top = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [f"[{json.dumps(k)}]\n" + "\n".join(f"{json.dumps(str(kk))} = {toml_value(vv)}"
                                                  for kk, vv in v.items())
              for k, v in data.items() if isinstance(v, dict)]
    return "\n".join(top) + "\n\n" + "\n\n".join(tables) + "\n"


# --------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------

def mutate_data(draw, data: dict, keys: list[str]) -> dict:
    """A few structural mutations of a parsed TOML document."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["set", "set", "set", "unknown", "drop", "scalar_section"]))
        key = draw(st.sampled_from(keys))
        parts = key.split(".")
        if kind == "set":
            value = copy.deepcopy(draw(st.one_of(st.sampled_from(NASTY), st.integers(), st.floats(),
                                                 st.text(max_size=20))))  # NASTY's dicts stay unchanged
            node = data
            for p in parts[:-1]:
                if not isinstance(node.get(p), dict):
                    node[p] = {}
                node = node[p]
            node[parts[-1]] = copy.deepcopy(value)  # a shared NASTY dict must not grow cycles
        elif kind == "unknown":
            node = data.setdefault(parts[0], {}) if len(parts) > 1 else data
            if isinstance(node, dict):
                node[draw(st.sampled_from(["montsh", "seeed", "zzz", "levers", "1", "é"]))] = 1
        elif kind == "drop":
            node = data
            for p in parts[:-1]:
                node = node.get(p) if isinstance(node, dict) else None
            if isinstance(node, dict):
                node.pop(parts[-1], None)
        else:
            data[parts[0]] = copy.deepcopy(draw(st.sampled_from(NASTY)))
    return data


def mutate_bytes(draw, raw: bytes) -> bytes:
    """Byte-level damage: truncation, junk, another encoding, an empty file."""
    kind = draw(st.sampled_from(["truncate", "junk", "utf16", "latin1", "empty", "nul", "bom"]))
    if kind == "truncate":
        return raw[:draw(st.integers(0, max(len(raw) - 1, 0)))]
    if kind == "junk":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=16)) + raw[at:]
    if kind == "utf16":
        return raw.decode("utf-8").encode("utf-16")
    if kind == "latin1":
        return raw.decode("utf-8").encode("latin-1", errors="replace")
    if kind == "nul":
        return raw.replace(b"\n", b"\x00", 1)
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw
    return b""


def validated_runs(path: Path) -> None:
    """What validate accepts runs: one month, finite outcomes."""
    from experiments.io.scenarios import load

    params = load(str(path)).params.with_overrides({"run.months": 1})
    summary, _ = run(params, series=False)
    assert not malformed(summary), (path, summary)


# --------------------------------------------------------------------------------------
# Scenario TOML
# --------------------------------------------------------------------------------------

@sized(12, 4000)
def test_fuzz_scenario_files(n, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scen")

    @settings(FUZZ, max_examples=n)
    @given(st.data())
    def case(data):
        source = data.draw(st.sampled_from(SCENARIOS))
        raw = source.read_bytes()
        path = folder / "case.toml"
        if data.draw(st.booleans()) or b"file =" in raw:
            parsed = tomllib.loads(raw.decode())
            parsed.pop("extends", None)  # laid over the defaults: every key of the mutation counts
            raw = toml_text(mutate_data(data.draw, parsed, PARAM_KEYS + ["description", "extends"])).encode()
        else:
            raw = mutate_bytes(data.draw, raw)
        path.write_bytes(raw)
        code, _, _ = invoke(["validate", str(path)])
        if code == 0:
            validated_runs(path)

    case()


# --------------------------------------------------------------------------------------
# Territories CSV
# --------------------------------------------------------------------------------------

@sized(12, 2000)
def test_fuzz_territory_tables(n, tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    (folder / "s.toml").write_text('description = "t"\n[territories]\nfile = "t.csv"\n')
    lines = CSV_TEXT.splitlines()

    @settings(FUZZ, max_examples=n)
    @given(st.data())
    def case(data):
        rows = [line.split(",") for line in lines]
        for _ in range(data.draw(st.integers(1, 3))):
            kind = data.draw(st.sampled_from(["cell", "cell", "cell", "drop_col", "extra_col",
                                              "header", "ragged", "dup_row", "bytes"]))
            if kind == "cell":
                r = data.draw(st.integers(1, len(rows) - 1))
                c = data.draw(st.integers(0, len(TERRITORY_COLUMNS) - 1))
                if c < len(rows[r]):
                    rows[r][c] = data.draw(st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=12)))
            elif kind == "drop_col":
                c = data.draw(st.integers(0, len(rows[0]) - 1))
                rows = [row[:c] + row[c + 1:] for row in rows]
            elif kind == "extra_col":
                rows = [row + ["extra" if i == 0 else "1"] for i, row in enumerate(rows)]
            elif kind == "header":
                rows[0] = [h.upper() if data.draw(st.booleans()) else h for h in rows[0]]
            elif kind == "ragged":
                r = data.draw(st.integers(1, len(rows) - 1))
                rows[r] = rows[r][:-1]
            elif kind == "dup_row":
                rows.append(list(rows[1]))
        raw = "\n".join(",".join(row) for row in rows).encode()
        if data.draw(st.integers(0, 5)) == 0:
            raw = mutate_bytes(data.draw, raw)
        (folder / "t.csv").write_bytes(raw)
        code, _, _ = invoke(["validate", str(folder / "s.toml")])
        if code == 0:
            validated_runs(folder / "s.toml")

    case()


# --------------------------------------------------------------------------------------
# --set values (a run of one month when accepted)
# --------------------------------------------------------------------------------------

@sized(12, 2000)
def test_fuzz_set_values(n, tmp_path_factory):
    out = tmp_path_factory.mktemp("set")

    @settings(FUZZ, max_examples=n)
    @given(st.data())
    def case(data):
        args = ["run", "baseline", "--months", "1", "--reps", "1", "--workers", "1", "--quiet",
                "--out", str(out)]
        for _ in range(data.draw(st.integers(1, 2))):
            key = data.draw(st.one_of(st.sampled_from(PARAM_KEYS),
                                      st.sampled_from(["levers", "run", "x.y", "levers.dialog", ".", "",
                                                       "run.months.x", "territories.records"])))
            value = data.draw(st.one_of(st.sampled_from(NASTY_TEXT + ["[1,2]", "{a=1}", "[", '"x'] +
                                                        [toml_value(v) for v in NASTY]),
                                        st.text(max_size=15)))
            if "\x00" in key + value:  # the OS refuses NUL in arguments
                continue
            args += ["--set", f"{key}={value}"]
        invoke(args, out)

    case()


# --------------------------------------------------------------------------------------
# Spec TOML (--dry-run: validation, sizes and a timing of two runs)
# --------------------------------------------------------------------------------------

SPEC_KEYS = ["method", "base", "model", "outcomes", "replications", "first_seed", "design_seed", "dummy",
             "levers", "lever_range", "regression.points", "regression.design", "regression.emulator_below",
             "regression.emulator_points", "regression.by", "sobol.n", "sobol.scrambles",
             "sobol.max_scrambles", "sobol.second_order", "sobol.retained", "morris.trajectories",
             "morris.levels", "statistics.confidence", "statistics.correction", "statistics.power",
             "statistics.resamples", "pilot.points", "pilot.seeds", "execution.chunk_runs", "factors.p",
             "factors.zz", "overrides.run", "description"]


@sized(3, 1000)
def test_fuzz_spec_files(n, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec")

    @settings(FUZZ, max_examples=n)
    @given(st.data())
    def case(data):
        source = data.draw(st.sampled_from(SPECS))
        raw = source.read_bytes()
        if data.draw(st.integers(0, 3)) > 0:
            parsed = tomllib.loads(raw.decode())
            parsed["model"] = "testmodels:noisy_linear"  # a dry run times two runs: keep them cheap
            parsed["factors"] = {"p": [0.0, 1.0], "q": [0.0, 1.0], "r": [0.0, 1.0]}
            parsed.pop("levers", None)
            parsed.pop("overrides", None)
            parsed["outcomes"] = ["y"]
            raw = toml_text(mutate_data(data.draw, parsed, SPEC_KEYS)).encode()
        else:
            raw = mutate_bytes(data.draw, raw)
        path = folder / "case.toml"
        path.write_bytes(raw)
        invoke(["sensitivity", str(path), "--dry-run", "--workers", "1"])

    case()


# --------------------------------------------------------------------------------------
# Command-line arguments
# --------------------------------------------------------------------------------------

ARGS = ["run", "compare", "validate", "scenarios", "levers", "sensitivity", "bench", "baseline",
        "arranger", "nonexistent", "--reps", "--months", "--seed", "--workers", "--set", "--out",
        "--json", "--quiet", "--lang", "--dry-run", "--resume", "--scheduler", "--help-me", "-x",
        "0", "1", "2", "-1", "1e9", "99999999999999999999", "abc", "fr", "de", "", "é", "=", "a=b",
        "levers.dialogue=2", "/dev/null", "/nonexistent/x.toml", "experiments/levers_morris.toml"]


@sized(12, 1000)
def test_fuzz_arguments(n, tmp_path_factory, monkeypatch):
    out = tmp_path_factory.mktemp("args")
    monkeypatch.chdir(out)

    @settings(FUZZ, max_examples=n)
    @given(st.lists(st.sampled_from(ARGS), min_size=0, max_size=6))
    def case(argv):
        argv = list(argv)
        if any(a in ("run", "compare") for a in argv[:1]):
            argv += ["--months", "1", "--reps", "1", "--workers", "1", "--quiet", "--out", str(out)]
        if argv[:1] == ["sensitivity"] and "--dry-run" not in argv:
            argv += ["--dry-run"]  # a whole experiment is not a fuzz case
        if argv[:1] == ["bench"]:
            argv = ["bench", "--help-me"]
        invoke(argv, out)

    case()


# --------------------------------------------------------------------------------------
# Damaged sensitivity folders (--resume)
# --------------------------------------------------------------------------------------

TINY_SPEC = TINY  # the small test-model spec shared with test_reliability_io


@sized(1, 30)
def test_fuzz_resume_of_damaged_folders(n, tmp_path_factory):
    import shutil

    base = tmp_path_factory.mktemp("resume")
    (base / "tiny.toml").write_text(TINY_SPEC)
    code, out, _ = invoke(["sensitivity", str(base / "tiny.toml"), "--workers", "1", "--quiet",
                           "--out", str(base / "done")])
    assert code == 0
    good = Path(out.strip().split("results: ", 1)[1])
    files = sorted(p.relative_to(good) for p in good.rglob("*") if p.is_file())

    @settings(FUZZ, max_examples=n)
    @given(st.data())
    def case(data):
        work = base / "case"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(good, work)
        for p in ("ranking.md", "provenance.json"):  # as if interrupted before the report
            (work / p).unlink(missing_ok=True)
        for _ in range(data.draw(st.integers(1, 3))):
            target = work / data.draw(st.sampled_from(files))
            kind = data.draw(st.sampled_from(["delete", "empty", "truncate", "junk"]))
            if not target.exists():
                continue
            if kind == "delete":
                target.unlink()
            elif kind == "empty":
                target.write_bytes(b"")
            elif kind == "truncate":
                raw = target.read_bytes()
                target.write_bytes(raw[:data.draw(st.integers(0, max(len(raw) - 1, 0)))])
            else:
                target.write_bytes(data.draw(st.binary(min_size=1, max_size=64)))
        code, _, _ = invoke(["sensitivity", "--resume", str(work), "--workers", "1", "--quiet"])
        if code == 0:  # good parts kept, the rest recomputed: the results of an undamaged run
            assert (work / "indices.csv").read_text() == (good / "indices.csv").read_text()

    case()
