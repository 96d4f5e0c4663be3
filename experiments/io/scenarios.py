"""Named scenarios: TOML files in ``scenarios/`` that override the model's defaults.

A scenario file holds a ``description`` (a paragraph quoting the seed), an optional
``extends`` (the name or relative path of the scenario it builds on) and only the parameter
sections and keys that differ from what it extends. ``[territories] file = "some.csv"`` reads
a territories table (resolved relative to the scenario file) into ``territories.records``.
Validation goes through :meth:`simulation.Params.from_dict` with the file as the source, so
an unknown key is reported with its file and a "did you mean". The format is documented in
scenarios/README.md.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.io.errors import InputError, os_problem

if TYPE_CHECKING:
    from simulation import Params

#: The scenario library shipped with the project (the repository's ``scenarios/`` folder).
LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"

#: Top-level keys of a scenario file that are not parameter sections.
META_KEYS = ("description", "extends")


def __getattr__(name: str) -> Any:
    # pydantic and the parameter structure are imported on first use, so that listing the
    # library does not pay for them. TERRITORY_COLUMNS: the columns of a territories table,
    # in the order of simulation.params.TerritoryRecord.
    if name == "TERRITORY_COLUMNS":
        from simulation.params import TerritoryRecord

        return tuple(TerritoryRecord.model_fields)
    if name == "merge":
        from simulation.params import merge

        return merge
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: its validated parameters and where they came from."""

    name: str
    path: Path
    description: str
    chain: tuple[Path, ...]  # this file first, then what it extends, up to the root
    overrides: dict[str, Any]  # the merged overrides of the whole chain (not the defaults)
    params: Params

    @property
    def title(self) -> str:
        """The first non-empty line of the description (shown by ``alliance scenarios``)."""
        return first_line(self.description)


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


# --------------------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------------------

def library_names(library: Path = LIBRARY) -> list[str]:
    """Names of the scenarios in ``library`` (file stems), sorted."""
    return sorted(p.stem for p in library.glob("*.toml")) if library.is_dir() else []


def find(name_or_path: str, library: Path = LIBRARY, relative_to: Path | None = None) -> Path:
    """The file of a scenario given by name (a stem in ``library``) or by path.

    A value ending in ``.toml`` or containing a path separator is a path (relative to
    ``relative_to`` when given, else to the working directory); anything else is first looked
    up next to ``relative_to`` (for ``extends``), then in the library.
    """
    looks_like_path = name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path
    if looks_like_path:
        path = Path(name_or_path)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        if not path.is_file():
            raise InputError(f"scenario file '{name_or_path}': not found (looked for {path})")
        return path
    places = ([relative_to] if relative_to is not None else []) + [library]
    for place in places:
        candidate = place / f"{name_or_path}.toml"
        if candidate.is_file():
            return candidate
    from simulation.params import did_you_mean

    known = library_names(library)
    hint = did_you_mean(name_or_path, known)
    raise InputError(
        f"unknown scenario {name_or_path!r}{hint}; expected a name from {_display(library)} "
        f"({', '.join(known) or 'none found'}) or a path to a .toml file")


def _display(path: Path) -> str:
    """A path as the user should read it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------

#: Largest input file read (a scenario, spec or territories table of 5,000 rows is < 1 MB).
MAX_INPUT_BYTES = 10 * 2**20


def read_bytes(path: Path, what: str = "file") -> bytes:
    """The bytes of a regular input file of at most :data:`MAX_INPUT_BYTES`; anything else
    (a device such as /dev/zero, a fifo, a folder, a huge file) raises InputError before
    reading, so no input can exhaust memory."""
    try:
        info = os.stat(path)  # before opening: opening a pipe waits for a writer
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{_display(path)}: expected a regular {what}; found a "
                             f"{'folder' if stat.S_ISDIR(info.st_mode) else 'device or pipe'}")
        if info.st_size > MAX_INPUT_BYTES:
            raise InputError(f"{_display(path)}: expected a {what} of at most "
                             f"{MAX_INPUT_BYTES // 2**20} MB; found {info.st_size / 2**20:.1f} MB")
        with path.open("rb") as fh:
            return fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{_display(path)}: cannot read the {what}: {os_problem(exc, path=False)}") from None


def whole_in(value: Any, low: int, high: int) -> bool:
    """Whether ``value`` is an integer (not a boolean) from ``low`` to ``high``: the check of
    every bounded count and seed of the spec files."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def read_toml(path: Path, what: str = "TOML file") -> dict[str, Any]:
    """The file's table; a malformed file raises InputError naming file, line and column."""
    raw = read_bytes(path, what)
    try:
        return tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))  # a BOM (Windows Notepad) is no statement
    except UnicodeDecodeError as exc:
        raise InputError(f"{_display(path)}: expected UTF-8 text; found an undecodable byte at "
                         f"position {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{_display(path)}: malformed TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise InputError(f"{_display(path)}: malformed TOML: expected arrays and tables nested at "
                         "most a few hundred deep (tomllib recurses); found deeper") from None


def _own_overrides(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The file's parameter sections, with a territories ``file`` turned into ``records``."""
    src = _display(path)
    for key in META_KEYS:
        if key in data and not isinstance(data[key], str):
            raise InputError(f"{src}: key '{key}': expected a string; found {data[key]!r}")
    over = {k: v for k, v in data.items() if k not in META_KEYS}
    terr = over.get("territories")
    if isinstance(terr, dict) and "file" in terr:
        terr = dict(terr)
        table = terr.pop("file")
        if not isinstance(table, str):
            raise InputError(f"{src}: key 'territories.file': expected a path string; found {table!r}")
        if "records" in terr:
            raise InputError(f"{src}: keys 'territories.file' and 'territories.records' both set; "
                             "expected only one")
        terr["records"] = read_territories(path.parent / table)
        over["territories"] = terr
    return over


# --------------------------------------------------------------------------------------
# Resolving a scenario
# --------------------------------------------------------------------------------------

def load(name_or_path: str, library: Path = LIBRARY) -> Scenario:
    """Find, read, resolve ``extends`` (refusing cycles) and validate a scenario.

    Each file of the chain is validated on its own (with that file as the error source)
    before its child is laid over it, so an error is reported in the file that holds it.
    """
    path = find(name_or_path, library)
    chain: list[Path] = []
    datas: list[dict[str, Any]] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in [p.resolve() for p in chain]:
            loop = " -> ".join(_display(p) for p in chain + [current])
            raise InputError(f"{_display(path)}: key 'extends': expected a chain without cycles; "
                             f"found {loop}")
        chain.append(current)
        data = read_toml(current)
        datas.append(data)
        parent = data.get("extends")
        if parent is not None and not isinstance(parent, str):
            raise InputError(f"{_display(current)}: key 'extends': expected a scenario name or "
                             f"path; found {parent!r}")
        if parent is None:
            current = None
        else:
            try:
                current = find(parent, library, relative_to=current.parent)
            except InputError as exc:
                raise InputError(f"{_display(current)}: key 'extends': {exc}") from None
    from simulation.params import Params, merge

    overrides: dict[str, Any] = {}
    for file, data in zip(reversed(chain), reversed(datas), strict=True):
        overrides = merge(overrides, _own_overrides(file, data))
        params = Params.from_dict(overrides, source=_display(file))
    description = datas[0].get("description", "")
    return Scenario(name=path.stem, path=path, description=description, chain=tuple(chain),
                    overrides=overrides, params=params)


def list_library(library: Path = LIBRARY) -> list[dict[str, str]]:
    """Every scenario of the library with its file, what it extends and its first line.

    Files are only read, not validated (``alliance validate`` does that), so one broken
    file does not hide the others.
    """
    out = []
    for name in library_names(library):
        path = library / f"{name}.toml"
        data = read_toml(path)
        out.append({"name": name, "file": _display(path),
                    "extends": data.get("extends") or "",
                    "title": first_line(str(data.get("description", ""))),
                    "description": str(data.get("description", "")).strip()})
    return out


# --------------------------------------------------------------------------------------
# --set KEY=VALUE
# --------------------------------------------------------------------------------------

_BARE = re.compile(r"^[A-Za-z0-9_\-.+:/]+$")


def parse_value(text: str, where: str) -> Any:
    """A value under TOML's literal rules: ``true``/``false``, integers, floats, quoted
    strings, arrays; anything else made of plain characters is a bare string."""
    text = text.strip()
    if not text:
        raise InputError(f"{where}: expected a value after '='; found nothing")
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        pass
    except RecursionError:
        raise InputError(f"{where}: expected a value nested at most a few hundred deep; found "
                         "deeper") from None
    if _BARE.match(text):
        return text
    raise InputError(f"{where}: expected a TOML value (true, 12, 0.8, \"text\" or a plain word); "
                     f"found {text!r}")


def parse_set(items: list[str]) -> dict[str, Any]:
    """``["levers.dialogue=0.8", ...]`` -> ``{"levers.dialogue": 0.8, ...}``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--set {item!r}: expected KEY=VALUE (e.g. levers.dialogue=0.8); "
                             f"found no '='" if not sep else f"--set {item!r}: expected a key before '='")
        if key in out:
            raise InputError(f"--set: key '{key}' given twice; expected each key once")
        out[key] = parse_value(value, f"--set {key}")
    return out


def apply_overrides(params: Params, overrides: dict[str, Any]) -> Params:
    """``params`` with ``--set`` overrides; unknown keys and bad values raise ParameterError."""
    return params.with_overrides(overrides, source="--set") if overrides else params


# --------------------------------------------------------------------------------------
# Territories table
# --------------------------------------------------------------------------------------

def read_territories(path: Path) -> list[dict[str, Any]]:
    """Read a territories CSV (comma-separated, dot decimals, a header row naming the
    :data:`TERRITORY_COLUMNS`) into validated records.

    Errors name the file, the row (as a spreadsheet numbers it, header = row 1), the
    column, what was expected and what was found.
    """
    from pydantic import ValidationError

    from simulation.params import TerritoryRecord

    TERRITORY_COLUMNS = __getattr__("TERRITORY_COLUMNS")  # noqa: N806
    src = _display(path)
    if not path.exists():
        raise InputError(f"territories file '{src}': not found")
    try:
        text = read_bytes(path, "territories table").decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except UnicodeDecodeError as exc:
        raise InputError(f"{src}: expected UTF-8 text; found undecodable byte at position "
                         f"{exc.start}") from None
    except csv.Error as exc:
        raise InputError(f"{src}: malformed CSV: {exc}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(f"{src}: expected a header row ({', '.join(TERRITORY_COLUMNS)}); found an empty file")
    header = [h.strip() for h in rows[0]]
    if len(header) == 1 and ";" in header[0]:
        raise InputError(f"{src}, row 1: expected comma-separated columns; found ';' separators "
                         "(save the table as CSV with commas and dot decimals)")
    for col in header:
        if col not in TERRITORY_COLUMNS:
            from simulation.params import did_you_mean

            hint = did_you_mean(col, TERRITORY_COLUMNS)
            raise InputError(f"{src}, row 1: unknown column '{col}'{hint}; expected the columns "
                             f"{', '.join(TERRITORY_COLUMNS)}")
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise InputError(f"{src}, row 1: column '{dup}' appears twice; expected each column once")
    missing = [c for c in TERRITORY_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{src}, row 1: missing column(s) {', '.join(missing)}; expected the columns "
                         f"{', '.join(TERRITORY_COLUMNS)}")
    if len(rows) < 2:
        raise InputError(f"{src}: expected at least one territory row; found only the header")
    records: list[dict[str, Any]] = []
    names: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(f"{src}, row {number}: expected {len(header)} cells; found {len(row)}")
        raw = {col: cell.strip() for col, cell in zip(header, row, strict=True)}
        try:
            record = TerritoryRecord.model_validate(raw, strict=False)  # cells are text
        except ValidationError as exc:
            err = exc.errors()[0]
            col = str(err["loc"][0]) if err["loc"] else "?"
            raise InputError(f"{src}, row {number}, column '{col}': expected {_expected(err, col)}; "
                             f"found {raw.get(col, '')!r}") from None
        if record.name in names:
            raise InputError(f"{src}, row {number}, column 'name': expected a unique name; "
                             f"found '{record.name}' again")
        if not record.name:
            raise InputError(f"{src}, row {number}, column 'name': expected a name; found an empty cell")
        names.add(record.name)
        records.append(record.model_dump())
    return records


def _expected(err: dict[str, Any], column: str) -> str:
    """What a cell of ``column`` should hold, from the record's type and bounds."""
    from simulation.params import TerritoryRecord

    field = TerritoryRecord.model_fields.get(column)
    if field is None:
        return str(err.get("msg", "a valid value")).lower()
    kind = {int: "an integer", float: "a number", str: "text"}.get(field.annotation, "a valid value")
    ge = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
    le = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
    if ge is not None and le is not None:
        return f"{kind} from {ge} to {le}"
    if ge is not None:
        return f"{kind} >= {ge}"
    return f"{kind} (dot decimals)" if kind == "a number" else kind
