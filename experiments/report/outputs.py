"""Figures and tables fit to print: human labels in French and English with units, each
figure as PDF, SVG and 300-dpi PNG, each table as CSV, Markdown and LaTeX.

Axes do not exaggerate: a quantity whose unit is a share or a 0-1 scale is drawn on its
whole range [0, 1]; counts, need units and money start at zero unless the data are
negative; a difference is drawn around zero.
"""

from __future__ import annotations

import base64
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pandas as pd

#: Resolution of every PNG (dots per inch).
DPI = 300

#: Formats every figure is saved in.
FIGURE_FORMATS = ("pdf", "svg", "png")

#: Labels (French / English) and units of the parameters the report varies.
PARAMETERS: dict[str, tuple[str, str, str]] = {
    "time.electoral_cycle_months": ("Durée du mandat municipal", "Municipal mandate", "months"),
    "time.project_duration_months": ("Durée des projets", "Project duration", "months"),
    "funding.application_cost": ("Coût d'une candidature", "Cost of one application", "FTE-months"),
    "funding.budget_scale": ("Budget des financeurs (x défaut)", "Funders' budget (x default)", "x"),
    "governance.rule": ("Règle de partage du pouvoir", "Power-sharing rule", ""),
    "funding.regime": ("Régime de financement", "Funding regime", ""),
    "governance.macro_steering": ("Pilotage national", "National steering", "0-1"),
}

#: Units in French.
UNITS_FR = {"months": "mois", "FTE-months": "ETP-mois", "need units": "unités de besoin", "count": "nombre",
            "share": "part"}

#: Units drawn on their whole range.
BOUNDED_UNITS = ("share", "0-1")


def outcome_label(key: str, lang: str = "both") -> str:
    """An outcome's label with its unit, e.g. ``Impact sur les besoins / Impact on needs
    (need units)``."""
    from simulation.outcomes import BY_KEY

    o = BY_KEY[key]
    name = {"fr": o.label_fr, "en": o.label_en}.get(lang, f"{o.label_fr} / {o.label_en}")
    return f"{name} ({o.unit})"


def outcome_unit(key: str) -> str:
    from simulation.outcomes import BY_KEY

    return BY_KEY[key].unit


def parameter_label(key: str, lang: str = "both") -> str:
    """A parameter's label with its unit; the dotted key itself when it has no label."""
    if key not in PARAMETERS:
        return key
    fr, en, unit = PARAMETERS[key]
    name = {"fr": fr, "en": en}.get(lang, f"{fr} / {en}")
    return f"{name} ({unit})" if unit else name


def honest_limits(values: Any, unit: str, difference: bool = False) -> tuple[float, float]:
    """Axis limits that do not exaggerate (see the module's docstring)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    if difference:
        m = max(abs(lo), abs(hi), 1e-12) * 1.1
        return -m, m
    if unit in BOUNDED_UNITS:
        return min(0.0, lo), max(1.0, hi)
    return min(0.0, lo * 1.1), max(hi * 1.1, 1e-12) if hi > 0 else 0.0


#: A mark printed across every figure while it is set (``alliance report --quick``:
#: "QUICK: not for publication"), so that a small build cannot pass for the paper's.
WATERMARK: ContextVar[str | None] = ContextVar("watermark", default=None)


def save_figure(fig: Any, folder: Path, name: str) -> list[str]:
    """``figures/<name>.pdf``, ``.svg`` and ``.png`` (300 dpi); returns the relative names.
    Metadata that would change between two builds (creation dates, SVG element ids) are
    fixed or left out, so the same figure gives the same bytes."""
    import matplotlib

    (folder / "figures").mkdir(parents=True, exist_ok=True)
    if (mark := WATERMARK.get()) is not None:
        fig.text(0.5, 0.5, mark, ha="center", va="center", rotation=25, fontsize=26, color="#c00",
                 alpha=0.25, zorder=100)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": name}):
        for fmt in FIGURE_FORMATS:
            rel = f"figures/{name}.{fmt}"
            meta = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {}}[fmt]
            fig.savefig(folder / rel, dpi=DPI, metadata=meta)
            written.append(rel)
    return written


def embedded_png(folder: Path, name: str) -> str:
    """The PNG of a saved figure as a ``data:`` URI, for the self-contained HTML."""
    data = (folder / f"figures/{name}.png").read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def save_table(table: pd.DataFrame, folder: Path, name: str, caption: str) -> list[str]:
    """``tables/<name>.csv``, ``.md`` and ``.tex``; returns the relative names."""
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / f"tables/{name}.csv", index=False)
    (folder / f"tables/{name}.md").write_text(markdown(table) + "\n", encoding="utf-8")
    (folder / f"tables/{name}.tex").write_text(latex(table, caption, name), encoding="utf-8")
    return [f"tables/{name}.{ext}" for ext in ("csv", "md", "tex")]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (numbers with 4 significant digits)."""
    head = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |"
            for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "€": r"\euro{}"}


def _tex(text: Any) -> str:
    return "".join(_TEX.get(c, c) for c in _cell(text))


def latex(table: pd.DataFrame, caption: str, label: str) -> str:
    """A ``table`` environment with booktabs rules (``\\usepackage{booktabs}``)."""
    cols = "l" * len(table.columns)
    lines = [r"\begin{table}[htbp]", r"\centering", f"\\caption{{{_tex(caption)}}}",
             f"\\label{{tab:{label}}}", f"\\begin{{tabular}}{{{cols}}}", r"\toprule",
             " & ".join(_tex(c) for c in table.columns) + r" \\", r"\midrule"]
    lines += [" & ".join(_tex(v) for v in row) + r" \\" for row in table.itertuples(index=False)]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)
