"""Lever counts written in prose agree with the lever registry (review 8: a new lever meant
finding by grep the dozen places that say "29 levers" or "8 additions").

Every "<N> levers", "<N> Charter levers", "<N> proposed levers", "<N> workshop additions",
"<N> lever intensities" in the documentation, the scenario and spec files and the docstrings
must be the number of Charter levers, of additions or of all levers in
:data:`simulation.LEVERS` ("the other <N> levers": the Charter's less one). Adding a lever
fails this test once, with every place to update.
"""

from __future__ import annotations

import re

from helpers import REPO

from simulation import LEVERS

CHARTER = sum(lv.group != "additions" for lv in LEVERS)
ADDITIONS = len(LEVERS) - CHARTER

#: Where the counts are written (the seed documents quote the Charter itself: not ours).
FILES = ("README.md", "docs/*.md", "scenarios/*.md", "scenarios/*.toml", "experiments/*.toml",
         "experiments/**/*.py", "simulation/**/*.py")

COUNT = re.compile(r"(other )?\b(\d+) (?:Charter |proposed |workshop |lever )?(?:levers|additions|intensities)\b")


def mentions() -> list[tuple[str, int, str, bool]]:
    found = []
    for pattern in FILES:
        for path in sorted(REPO.glob(pattern)):
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for m in COUNT.finditer(line):
                    found.append((f"{path.relative_to(REPO)}:{i}", int(m.group(2)), m.group(0), bool(m.group(1))))
    return found


def test_every_lever_count_in_prose_is_the_registrys():
    found = mentions()
    assert len(found) >= 15, "the pattern no longer finds the counts"
    wrong = [f"{where}: '{text}'" for where, n, text, other in found
             if n not in ((CHARTER - 1,) if other else (CHARTER, ADDITIONS, len(LEVERS)))]
    assert not wrong, (f"the registry has {CHARTER} Charter levers and {ADDITIONS} additions "
                       f"({len(LEVERS)} levers); update: " + "; ".join(wrong))
