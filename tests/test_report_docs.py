"""Citable documentation: generated blocks current, references that resolve, the seed's
quotations found in the shipped seed, counts quoted in the README and the ODD true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Quotations of docs/ODD.md and simulation/ not found word for word in docs/seed/ (paraphrases
#: or quotations of the brief, listed 2026-12-01): a new one fails the test; fix these by
#: quoting the seed exactly or by dropping the guillemets.
KNOWN_UNQUOTED: set[str] = set()  # emptied in session 21: every quotation is the seed's, word for word


def _norm(text: str) -> str:
    for a, b in (("’", "'"), ("\u202f", " "), ("\xa0", " "), ("*", ""), ('"', "")):
        text = text.replace(a, b)
    text = re.sub(r"«\s*|\s*»", "", text)  # inner guillemets go with their spaces: « faire alliance », -> faire alliance,
    return re.sub(r"\s+", " ", text).lower().strip()


def _quotations() -> list[tuple[str, str]]:
    files = [ROOT / "docs" / "ODD.md", *sorted((ROOT / "simulation").rglob("*.py"))]
    found = []
    for f in files:
        text = re.sub(r"\n[ \t]*(>|#)[ \t]?", "\n", f.read_text(encoding="utf-8"))  # blockquotes, comments
        for q in re.findall(r"«\s*(.+?)\s*»", text, flags=re.S):
            found.append((f.relative_to(ROOT).as_posix(), q))
    return found


def test_seed_quotations_are_found_in_the_shipped_seed():
    seed = _norm((ROOT / "docs" / "seed" / "world_cafe_2021.txt").read_text(encoding="utf-8"))
    quotes = _quotations()
    missing = []
    for where, q in quotes:
        parts = [p.strip(" .,;:") for p in re.split(r"\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…|\(\.\.\.\)", q)]
        parts = [p for p in parts if len(p) > 12]
        if parts and not all(_norm(p) in seed for p in parts):
            missing.append((where, _norm(q)))
    unknown = [(w, q) for w, q in missing if not any(q.startswith(k) or k in q for k in KNOWN_UNQUOTED)]
    assert len(quotes) > 150 and not unknown, unknown


def test_paths_cited_by_the_documentation_exist():
    docs = ["README.md", "docs/DEVELOPING.md", "docs/ODD.md", "docs/odd_d.md", "docs/trace.md", "docs/seed/README.md",
            "docs/sensitivity.md", "docs/calibration.md", "results/README.md"]
    pattern = re.compile(r"(?<![\w/.<])((?:tests|simulation|experiments|docs|scenarios|shared|results|notebooks)"
                         r"/[\w./-]+\.(?:py|md|toml|txt|csv|cff))")
    missing = [(d, p) for d in docs for p in pattern.findall((ROOT / d).read_text(encoding="utf-8"))
               if not (ROOT / p).exists() and not (ROOT / "docs" / "seed" / p).exists()]
    assert not missing, missing
    for name in ("CITATION.cff", "LICENSE"):
        assert (ROOT / name).is_file()
    assert "docs/odd_d.md" in (ROOT / "docs/ODD.md").read_text() and "docs/trace.md" in (ROOT / "docs/ODD.md").read_text()


def test_generated_blocks_are_current():
    from experiments.report.docs import DOCUMENTS, render

    for rel in DOCUMENTS:
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert "<!-- generated:" in text, rel
        assert render(text) == text, f"{rel} is stale: run python -m experiments.report.docs"


def test_counts_quoted_by_readme_and_odd_are_the_code_s():
    from experiments.report.docs import counts

    c = counts()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert f"the {c['levers']} levers of" in readme and f"{c['levers']} Charter levers and {c['additions']} workshop additions" in readme
    assert f"({c['levers']} levers, plus {c['additions']} additions" in odd
    assert f"The {c['outcomes']} summary outcomes" in odd
    m = re.search(r"~(\d+)\s+actors", readme)
    assert m and abs(int(m.group(1)) - c["actors"]) <= 0.1 * c["actors"]


def test_test_inventory_reads_every_module_without_running_it():
    from experiments.report.docs import test_inventory

    rows = {r["module"]: r for r in test_inventory()}
    assert set(rows) == {p.name for p in (ROOT / "tests").glob("test_*.py")}
    me = rows["test_report_docs.py"]
    assert me["tests"] == 9 and me["marked_slow"] == 0 and me["purpose"].startswith("Citable documentation")
    assert rows["test_observations.py"]["marked_slow"] == rows["test_observations.py"]["tests"] > 0


@pytest.mark.parametrize("name", ["actor_traits", "decision_parameters"])
def test_odd_d_tables_have_a_row_per_item(name):
    from experiments.report import docs

    table = docs.BLOCKS[name]()
    assert table.count("\n") >= 3 and table.startswith("|")


def _odd_parts() -> tuple[str, str]:
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    body, _, refs = text.partition("\n## References\n")
    return body, refs


def test_every_work_the_odd_cites_is_in_its_reference_list():
    """Author-year citations of the ODD's body (e.g. « Frey & Jegen 2001 », « Hauert et al.
    2002 ») have an entry in its References, found by first author and year."""
    body, refs = _odd_parts()
    name = r"[A-Z][a-zà-ü][\w'-]*"  # a surname (not an acronym such as INFSO-SKIN)
    cited = set(re.findall(rf"({name})(?:, {name})?(?: (?:&|and) {name}| et al\.)[,;]? \(?((?:19|20)\d\d)",
                           body))
    cited |= set(re.findall(r"\b(Slovic|Insee) \(?((?:19|20)\d\d)", body))
    assert len(cited) >= 15
    entries = [e for e in re.split(r"\n- ", refs) if e.strip()]
    missing = sorted(f"{a} {y}" for a, y in cited
                     if not any(e.lstrip("- ").startswith(a) and f"({y})" in e for e in entries))
    assert not missing, missing


def test_every_odd_reference_resolves_or_says_why_not():
    """Each entry of the ODD's References gives a DOI or an address, or says it has none."""
    _, refs = _odd_parts()
    entries = [e for e in re.split(r"\n- ", refs.split("\n\n")[0] + "\n") if e.strip()]
    assert len(entries) >= 20
    bad = [e[:60] for e in entries if not re.search(r"doi:10\.\d{4,}/\S+|https://\S+|no DOI|Note de conjoncture", e)]
    assert not bad, bad


def test_known_failures_list_every_xfail_with_its_reason():
    from experiments.report.docs import known_failures, trace_section

    rows = known_failures()
    found = {(r["module"], r["test"]) for r in rows}
    # the strict xfails of today's tests (observations 3 and the ceiling's admin-burden cause pass
    # since session 18): update with them
    # observation 5: a strict xfail on the merged models of sessions 19 and 20 and on s21-9a; a
    # plain test since session 21, its knockout on 1,000 seeds from a power calculation
    assert ("test_observations.py", "test_5_fiercer_competition_lowers_cooperation_among_associations") not in found
    assert ("test_observations.py", "test_3_short_electoral_cycles_raise_abandonment") not in found
    # NOT_SHOWN since session 21: territorial_anchoring (equity not shown from the status quo once
    # levelling down is gone, s21-9d); exit_clause and experimentation left it (s21-9b);
    # celebration entered it on the merged model of session 22 (impact not shown on 100 seeds)
    assert {r["test"] for r in rows if r["test"].startswith("test_lever_moves_its_outcome")} == {
        "test_lever_moves_its_outcome[territorial_anchoring]", "test_lever_moves_its_outcome[celebration]"}
    assert all(r["reason"] for r in rows)
    sec = trace_section()
    assert ("trace_known_failures" in sec.tables) == bool(rows)
    assert ("Known failures" in sec.text[-1]) == bool(rows)
